using Amazon.CDK;
using AwsModelPlatform.Cdk;

// `cdk synth/deploy` pass CDK_OUTDIR and cdk.json's context; a plain `dotnet run --project cdk` reads the same
// context from cdk.json itself and writes to cdk.out/, so both paths synthesize the same templates.
NodeWarnings.Silence();
var viaCli = System.Environment.GetEnvironmentVariable("CDK_OUTDIR") is { Length: > 0 };
var app = new App(new AppProps
{
    Outdir = viaCli ? null : "cdk.out",
    Context = viaCli ? null : CdkJson.Context("cdk.json"),
});
SampleApp.Build(app);
var assembly = app.Synth();
Console.WriteLine(SynthSummary.Describe(assembly));
