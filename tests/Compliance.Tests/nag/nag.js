// Runs cdk-nag on synthesized templates: node nag.js [--packs AwsSolutions,NIST.800.53.R5,HIPAA.Security] TEMPLATE.json [...]
// Each template is loaded with cloudformation-include into a stack that needs no bootstrap, so the checks see
// exactly what CloudFormation would get, including the cdk_nag suppressions in each resource's metadata.
// Prints one JSON object: { "<template>": { "findings": [ { pack, level, rule, resource, finding, message } ],
//                                           "suppressions": [ { resource, rule, appliesTo, used: [findings] } ] } }.
// "suppressions" lists every suppression written in the template's metadata, each applies_to entry on its own, with
// the findings it was the one to suppress: cdk-nag takes the first suppression of a resource that applies, so an
// entry with no finding is dead (it would hide the next real finding of that rule on that resource).
const fs = require('fs');
const os = require('os');
const path = require('path');
const cdk = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const nag = require('cdk-nag');
const { NagSuppressionHelper } = require('cdk-nag/lib/utils/nag-suppression-helper');

// aws-cdk-lib's own template validation (its bundled CloudFormation rules) is cfn-lint's job in these tests.
process.env.CDK_VALIDATION = 'false';

// The pack names cdk-nag prefixes its rule ids with, and the classes of cdk-nag 2.38 that check them.
const PACKS = {
  AwsSolutions: nag.AwsSolutionsChecks,
  'NIST.800.53.R5': nag.NIST80053R5Checks,
  'HIPAA.Security': nag.HIPAASecurityChecks,
};

let args = process.argv.slice(2);
let packs = ['AwsSolutions'];
if (args[0] === '--packs') {
  packs = args[1].split(',');
  args = args.slice(2);
}
for (const pack of packs) if (!PACKS[pack]) throw new Error(`unknown pack ${pack}; known: ${Object.keys(PACKS).join(', ')}`);

/** Records which suppression entry each suppressed finding was matched by. */
class FindingsLogger {
  constructor() { this.findings = []; this.uses = []; }
  onCompliance() {}
  onNonCompliance(data) {
    this.findings.push({ pack: data.nagPackName, level: data.ruleLevel.toLowerCase(), rule: data.ruleId, resource: data.resource.node.path, finding: data.findingId, message: data.ruleInfo });
  }
  // A rule that could not evaluate a resource (an intrinsic it cannot read) has not passed it either.
  onError(data) {
    this.findings.push({ pack: data.nagPackName, level: 'validation-failure', rule: data.ruleId, resource: data.resource.node.path, finding: '', message: data.errorMessage });
  }
  onSuppressedError() {}
  onNotApplicable() {}
  onSuppressed(data) {
    // The same search as NagPack.ignoreRule: the first suppression of the resource that applies wins.
    const suppressions = NagSuppressionHelper.getSuppressions(data.resource);
    const index = suppressions.findIndex((s) => NagSuppressionHelper.doesApply(s, data.ruleId, data.findingId));
    if (index < 0) return;
    const entries = suppressions[index].appliesTo;
    const entry = entries ? entries.findIndex((a) => NagSuppressionHelper.doesApply({ ...suppressions[index], appliesTo: [a] }, data.ruleId, data.findingId)) : -1;
    this.uses.push({ resource: data.resource.node.path, rule: data.ruleId, suppression: index, entry, finding: data.findingId });
  }
}

const describe = (appliesTo) => (typeof appliesTo === 'string' ? appliesTo : appliesTo.regex);

const result = {};
for (const templatePath of args) {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
  delete template.Rules;
  if (template.Parameters) delete template.Parameters.BootstrapVersion;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
  const stripped = path.join(work, 'template.json');
  fs.writeFileSync(stripped, JSON.stringify(template));

  const app = new cdk.App({ outdir: path.join(work, 'out') });
  const stack = new cdk.Stack(app, 'Checked', { synthesizer: new cdk.LegacyStackSynthesizer() });
  const included = new CfnInclude(stack, 'Template', { templateFile: stripped });
  const logger = new FindingsLogger();
  for (const pack of packs) cdk.Aspects.of(app).add(new PACKS[pack]({ reports: false, additionalLoggers: [logger] }));
  const assembly = app.synth();
  const resourceOf = (constructPath) => constructPath.replace(/^\/?Checked\/Template\//, '');
  // Findings of the packs, and whatever else failed the synthesis of the included template.
  const findings = logger.findings.map((f) => ({ ...f, resource: resourceOf(f.resource) })).concat(
    assembly.getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'error')
      .filter((m) => !packs.some((p) => String(m.entry.data).startsWith(p + '-')))
      .map((m) => ({ pack: '', level: 'error', rule: 'synth', resource: resourceOf(m.id), finding: '', message: String(m.entry.data).split('\n')[0] })));

  // Every suppression written in the template, entry by entry, with the findings it suppressed.
  const suppressions = [];
  for (const logicalId of Object.keys(template.Resources || {})) {
    const resource = included.getResource(logicalId);
    const rules = NagSuppressionHelper.getSuppressions(resource);
    rules.forEach((rule, index) => {
      const entries = rule.appliesTo ? rule.appliesTo.map((a, i) => [describe(a), i]) : [[null, -1]];
      for (const [appliesTo, entry] of entries) {
        const used = logger.uses.filter((u) => u.resource === resource.node.path && u.suppression === index && u.entry === entry).map((u) => u.finding);
        suppressions.push({ resource: logicalId, rule: rule.id, appliesTo, reason: rule.reason, used });
      }
    });
  }
  result[templatePath] = { findings, suppressions };
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 1));
