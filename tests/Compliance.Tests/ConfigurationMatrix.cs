using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// The configuration matrix as users build it: one consumer project outside the repository that references the packed
/// NuGet package and synthesizes every configuration of tests/Compliance.Tests/matrix/Program.cs in one process (one
/// restore, one build, one jsii start). Each configuration is then linted by cfn-lint for its region (one call per
/// region) and checked by cdk-nag's three packs (one node process for every template), each once, when first asked for.
/// </summary>
public sealed class ConfigurationMatrix : IDisposable
{
    public sealed record Configuration(string Name, string Region, IReadOnlyDictionary<string, string> Templates);

    private readonly string _consumer = Directory.CreateTempSubdirectory("amp-matrix-").FullName;
    private readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<string>>> _lintErrors;
    private readonly Lazy<IReadOnlyDictionary<string, CdkNag.Result>> _nag;

    /// <summary>Configuration name → its region and templates (stack name → path).</summary>
    public IReadOnlyDictionary<string, Configuration> Configurations { get; }

    /// <summary>The consumer's <c>dotnet run</c>: restore, build and the synthesis of every configuration.</summary>
    public Repo.Result Run { get; }

    /// <summary>Wall time of each step, for the CI budget (docs/security.md).</summary>
    public Dictionary<string, TimeSpan> Timings { get; } = new();

    public ConfigurationMatrix(PackedLibrary library)
    {
        library.WriteNuGetConfig(_consumer);
        File.WriteAllText(Path.Combine(_consumer, "Matrix.csproj"), library.Project("AwsModelPlatform.Constructs", """
            <OutputType>Exe</OutputType>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            """));
        File.Copy(Repo.Path("tests", "Compliance.Tests", "matrix", "Program.cs"), Path.Combine(_consumer, "Program.cs"));
        var output = Path.Combine(_consumer, "out");
        var watch = Stopwatch.StartNew();
        Run = Repo.Run("dotnet", new[] { "run", "--", output }, _consumer, TimeSpan.FromMinutes(20));
        Timings["consumer restore, build and synthesis"] = watch.Elapsed;
        Configurations = Run.ExitCode != 0 ? new Dictionary<string, Configuration>()
            : JsonNode.Parse(File.ReadAllText(Path.Combine(output, "matrix.json")))!.AsArray().Select(c => new Configuration(
                    c!["name"]!.GetValue<string>(),
                    c["region"]!.GetValue<string>(),
                    c["templates"]!.AsObject().ToDictionary(t => t.Key, t => t.Value!.GetValue<string>())))
                .ToDictionary(c => c.Name);

        _lintErrors = new(() =>
        {
            var lint = Stopwatch.StartNew();
            var errors = Configurations.Values.GroupBy(c => c.Region)
                .SelectMany(region => CfnLint.Errors(region.SelectMany(c => c.Templates.Values).ToList(), region.Key))
                .ToDictionary(e => e.Key, e => e.Value);
            Timings["cfn-lint, one call per region"] = lint.Elapsed;
            return errors;
        });
        _nag = new(() =>
        {
            var nag = Stopwatch.StartNew();
            var results = CdkNag.Run(Configurations.Values.SelectMany(c => c.Templates.Values).ToList());
            Timings["cdk-nag, three packs, one process"] = nag.Elapsed;
            return results;
        });
    }

    /// <summary>The configuration, failing the test with the consumer's output when the matrix did not synthesize.</summary>
    public Configuration Get(string name)
    {
        Assert.True(Run.ExitCode == 0, "the matrix consumer failed:\n" + Run.Output + Run.Error);
        Assert.True(Configurations.ContainsKey(name), $"the matrix has no configuration '{name}'; it has {string.Join(", ", Configurations.Keys)}");
        return Configurations[name];
    }

    /// <summary>cfn-lint's errors for each stack of the configuration, checked for its region.</summary>
    public IEnumerable<(string Stack, IReadOnlyList<string> Errors)> LintErrors(string name) =>
        Get(name).Templates.Select(t => (t.Key, _lintErrors.Value[t.Value]));

    /// <summary>cdk-nag's result for each stack of the configuration.</summary>
    public IEnumerable<(string Stack, CdkNag.Result Result)> Nag(string name) =>
        Get(name).Templates.Select(t => (t.Key, _nag.Value[t.Value]));

    /// <summary>Each stack's template of the configuration, parsed.</summary>
    public IEnumerable<(string Stack, JsonNode Template)> Templates(string name) =>
        Get(name).Templates.Select(t => (t.Key, JsonNode.Parse(File.ReadAllText(t.Value))!));

    public void Dispose() => Directory.Delete(_consumer, recursive: true);
}
