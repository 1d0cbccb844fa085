// Decides what an AWS service may do with a resource policy alone (a KMS key policy, an SNS topic policy), for the
// tests of the foundation's policies: the principal is a service (events.amazonaws.com) or a service-linked role with
// no identity policy of its own. Same protocol as simulate.mjs.
//
// iam-simulate's checked entry point (runSimulation) drops KMS encryption-context keys: it matches only variable keys
// written with '/', such as aws:PrincipalTag/Name, and kms:EncryptionContext:aws:sns:topicArn is written with ':'.
// So each request's keys are checked here against the keys the action documents (kms:EncryptionContext:<key> too), any
// other key is reported as ignored (the test fails instead of passing on a skipped condition), and the request goes to
// the package's core engine with the context as given. That engine is internal (the package exports only its checked
// and unchecked entry points, and the unchecked one loses the resource policy's name): it is imported by path, from
// the version package-lock.json pins.
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { loadPolicy } from '@cloud-copilot/iam-policy'
import { allowedContextKeysForRequest } from '@cloud-copilot/iam-simulate'

const engine = (file) => import(new URL(`./node_modules/@cloud-copilot/iam-simulate/dist/esm/${file}`, import.meta.url))
const { authorize } = await engine('core_engine/CoreSimulatorEngine.js')
const { AwsRequestImpl } = await engine('request/request.js')
const { RequestContextImpl } = await engine('requestContext.js')
const { DiscoveryContextKeyConstraints } = await engine('context_keys/discoveryContextKeyConstraints.js')

const policies = JSON.parse(readFileSync(process.argv[2], 'utf8'))

async function unknownKeys(request) {
  const [service, action] = request.action.split(':')
  const allowed = (await allowedContextKeysForRequest(service, action, request.resource, false)).map((k) => k.toLowerCase())
  const matches = (key) => allowed.some((a) => a === key || (a.includes('${') && key.startsWith(a.slice(0, a.indexOf('${')))))
  return Object.keys(request.context ?? {}).filter((key) => !matches(key.toLowerCase()))
}

async function decide(request) {
  const ignored = await unknownKeys(request)
  if (ignored.length) return { result: 'Error', ignoredContextKeys: ignored }
  const identity = policies.identityPolicy?.Statement?.length ? [loadPolicy(policies.identityPolicy, { name: 'identity' })] : []
  const resourcePolicy = policies.resourcePolicies?.[request.resource]
  const { result } = authorize({
    request: new AwsRequestImpl(policies.principal, { resource: request.resource, accountId: policies.account }, request.action, new RequestContextImpl(request.context ?? {})),
    sessionPolicy: undefined,
    identityPolicies: identity,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy ? loadPolicy(resourcePolicy, { name: 'resource' }) : undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} },
  })
  return { result }
}

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (!line.trim()) continue
  let answer
  try {
    answer = await decide(JSON.parse(line))
  } catch (e) {
    answer = { result: 'Error', errors: String(e?.message ?? e) }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
