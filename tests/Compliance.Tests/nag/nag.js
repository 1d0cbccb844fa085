// Runs cdk-nag's AwsSolutions pack on synthesized templates: node nag.js TEMPLATE.json [...]
// Each template is loaded with cloudformation-include into a stack that needs no bootstrap, so the checks see
// exactly what CloudFormation would get, including the cdk_nag suppressions in each resource's metadata.
// Prints one JSON object: { "<template>": [ { level, rule, resource, message } ] }.
const fs = require('fs');
const os = require('os');
const path = require('path');
const cdk = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { AwsSolutionsChecks } = require('cdk-nag');

const findings = {};
for (const templatePath of process.argv.slice(2)) {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
  delete template.Rules;
  if (template.Parameters) delete template.Parameters.BootstrapVersion;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
  const stripped = path.join(work, 'template.json');
  fs.writeFileSync(stripped, JSON.stringify(template));

  const app = new cdk.App({ outdir: path.join(work, 'out') });
  const stack = new cdk.Stack(app, 'Checked', { synthesizer: new cdk.LegacyStackSynthesizer() });
  new CfnInclude(stack, 'Template', { templateFile: stripped });
  cdk.Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const assembly = app.synth();
  findings[templatePath] = assembly.getStackArtifact(stack.artifactId).messages
    .filter((m) => String(m.entry.data).startsWith('AwsSolutions-') || m.level === 'error')
    .map((m) => ({
      level: m.level,
      rule: (String(m.entry.data).match(/^[A-Za-z]+-[A-Za-z0-9]+/) || [''])[0],
      resource: m.id.replace('/Checked/Template/', ''),
      message: String(m.entry.data).split('\n')[0],
    }));
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(findings, null, 1));
