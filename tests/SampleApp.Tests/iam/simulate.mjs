// Decides AWS requests the way IAM would, for the policy-in-the-loop tests.
//
//   node simulate.mjs POLICIES.json
//     POLICIES.json: {"principal": ARN, "account": ID, "identityPolicy": {...}, "resourcePolicies": {ARN: {...}}}
//     stdin, a JSON request a line:  {"action": "kms:Encrypt", "resource": ARN or "*", "context": {"kms:EncryptionContextKeys": [...]}}
//     stdout, a JSON answer a line:  {"result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied", "errors"?, "ignoredContextKeys"?}
//
// The identity policy is the function role's, as synthesized; a resource policy (a KMS key policy) applies to requests
// on its ARN. @cloud-copilot/iam-simulate checks that the action exists, that the ARN is one of its resource types,
// and evaluates every condition operator; a context key it cannot judge is reported, so a test never passes on a
// condition that was silently skipped.
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const policies = JSON.parse(readFileSync(process.argv[2], 'utf8'))

async function decide(request) {
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'role', policy: policies.identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.resourcePolicies?.[request.resource],
      request: {
        principal: policies.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: policies.account },
        contextVariables: request.context ?? {},
      },
    },
    {},
  )
  if (response.resultType === 'error') return { result: 'Error', errors: response.errors }
  const ignored = response.resultType === 'single' ? response.result.ignoredContextKeys : response.results.flatMap((r) => r.ignoredContextKeys ?? [])
  return { result: response.overallResult, ...(ignored?.length ? { ignoredContextKeys: ignored } : {}) }
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
