using Amazon.CDK;
using AwsModelPlatform.Cdk;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// The sample app, synthesized once per test class into a temporary folder, with cdk.json's context as the CLI would
/// pass it, plus <c>handlerDirectory</c>: a stand-in <c>bootstrap</c>, so these template checks do not wait for the
/// Native AOT publish (the API tests build and run the real asset).
/// </summary>
public sealed class SynthesizedApp : IDisposable
{
    public string OutDir { get; } = Directory.CreateTempSubdirectory("amp-synth-").FullName;

    private readonly string _handler = Directory.CreateTempSubdirectory("amp-bootstrap-").FullName;

    /// <summary>Stack name → template path.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; }

    public SynthesizedApp()
    {
        NodeWarnings.Silence();
        File.WriteAllText(Path.Combine(_handler, "bootstrap"), "#!/bin/sh\n");
        var context = CdkJson.Context(Repo.Path("cdk.json")) ?? new Dictionary<string, object>();
        context["handlerDirectory"] = _handler;
        var app = new App(new AppProps { Outdir = OutDir, Context = context });
        SampleApp.Build(app);
        var assembly = app.Synth();
        Templates = assembly.Stacks.ToDictionary(s => s.StackName, s => Path.Combine(assembly.Directory, s.TemplateFile));
    }

    public void Dispose()
    {
        Directory.Delete(OutDir, recursive: true);
        Directory.Delete(_handler, recursive: true);
    }
}
