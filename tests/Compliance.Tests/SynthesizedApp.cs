using Amazon.CDK;
using AwsModelPlatform.Cdk;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// The sample app, synthesized once for the whole test run into a temporary folder, with cdk.json's context as the
/// CLI would pass it. The handler functions get a stand-in bootstrap instead of the Native AOT build (the build itself
/// is tested once, where its output is started): these tests are about the templates.
/// </summary>
public sealed class SynthesizedApp : IDisposable
{
    public string OutDir { get; } = Directory.CreateTempSubdirectory("amp-synth-").FullName;

    private readonly string _handlerCode = Directory.CreateTempSubdirectory("amp-bootstrap-").FullName;

    /// <summary>Stack name → template path.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; }

    private readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<string>>> _lintErrors;
    private readonly Lazy<IReadOnlyDictionary<string, CdkNag.Result>> _nag;

    /// <summary>cfn-lint's errors for each template (one call for all; the app is environment-agnostic, linted for us-east-1).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> LintErrors => _lintErrors.Value;

    /// <summary>cdk-nag's three packs on each template (one node process for all).</summary>
    public IReadOnlyDictionary<string, CdkNag.Result> Nag => _nag.Value;

    public SynthesizedApp()
    {
        NodeWarnings.Silence();
        File.WriteAllText(Path.Combine(_handlerCode, "bootstrap"), "#!/bin/sh\n");
        var context = CdkJson.Context(Repo.Path("cdk.json")) ?? new Dictionary<string, object>();
        context[SampleContext.HandlerDirectory] = _handlerCode;
        var app = new App(new AppProps { Outdir = OutDir, Context = context });
        SampleApp.Build(app);
        var assembly = app.Synth();
        Templates = assembly.Stacks.ToDictionary(s => s.StackName, s => Path.Combine(assembly.Directory, s.TemplateFile));
        _lintErrors = new(() => CfnLint.Errors(Templates.Values.ToList(), "us-east-1"));
        _nag = new(() => CdkNag.Run(Templates.Values.ToList()));
    }

    public void Dispose()
    {
        Directory.Delete(OutDir, recursive: true);
        Directory.Delete(_handlerCode, recursive: true);
    }
}

/// <summary>The test classes that read the synthesized sample app share one synthesis.</summary>
[CollectionDefinition(Name)]
public sealed class SampleAppCollection : ICollectionFixture<SynthesizedApp>
{
    public const string Name = "Sample app";
}
