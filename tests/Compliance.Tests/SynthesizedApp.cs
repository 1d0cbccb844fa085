using Amazon.CDK;
using AwsModelPlatform.Cdk;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>The sample app, synthesized once per test class into a temporary folder, with cdk.json's context as the CLI would pass it.</summary>
public sealed class SynthesizedApp : IDisposable
{
    public string OutDir { get; } = Directory.CreateTempSubdirectory("amp-synth-").FullName;

    /// <summary>Stack name → template path.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; }

    public SynthesizedApp()
    {
        NodeWarnings.Silence();
        var app = new App(new AppProps { Outdir = OutDir, Context = CdkJson.Context(Repo.Path("cdk.json")) });
        SampleApp.Build(app);
        var assembly = app.Synth();
        Templates = assembly.Stacks.ToDictionary(s => s.StackName, s => Path.Combine(assembly.Directory, s.TemplateFile));
    }

    public void Dispose() => Directory.Delete(OutDir, recursive: true);
}
