using System.Reflection;
using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// Every problem the handler answers comes from the <see cref="Problems"/> catalog, and every type in it is documented:
/// clients branch on <c>type</c>, so a type written ad hoc in a route (or missing from docs/handlers.md) is one they cannot know.
/// </summary>
public sealed partial class ProblemCatalogTests
{
    private const string CatalogFile = "Hosting/Problems.cs";

    private static IReadOnlyList<string> CatalogTypes { get; } = typeof(Problems.Types)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    [Fact]
    public void No_file_but_the_catalog_writes_a_problem_type_or_builds_a_problem()
    {
        var offences = HandlerSources.Files
            .Where(f => f.Path != CatalogFile)
            .SelectMany(f => ProblemBuilt().Matches(HandlerSources.Code(f.Text)).Select(m => $"{f.Path}: {m.Value}"))
            .ToList();
        Assert.True(offences.Count == 0, "Ask Problems for the problem instead:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void The_catalog_writes_every_type_through_its_list_of_types()
    {
        var catalog = HandlerSources.Code(HandlerSources.Files.Single(f => f.Path == CatalogFile).Text);
        // A type URI is Base + one of Types; a literal after Base would be a type the list (and this test) does not know.
        Assert.Empty(LiteralAfterBase().Matches(catalog).Select(m => m.Value));
        Assert.Empty(BaseUri().Matches(catalog)); // the one constant is the contract's, shared with the gateway responses
        Assert.Contains("Base = ProblemTypes.Base", catalog, StringComparison.Ordinal);
        // invalid-api-key is answered by API Gateway (the constructs' gateway responses), never built by the handler.
        var unused = CatalogTypes.Where(t => t != ProblemTypes.InvalidApiKey && !catalog.Contains("Types." + NameOf(t), StringComparison.Ordinal)).ToList();
        Assert.True(unused.Count == 0, "Types no problem uses: " + string.Join(", ", unused));
    }

    [Fact]
    public void Every_problem_type_is_documented_in_the_handlers_page()
    {
        var doc = File.ReadAllText(Path.Combine(HandlerSources.RepositoryRoot, "docs", "handlers.md"));
        Assert.NotEmpty(CatalogTypes);
        var missing = CatalogTypes.Where(t => !doc.Contains("`" + t, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/handlers.md does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_documented_problem_type_is_one_the_handler_answers()
    {
        var doc = File.ReadAllText(Path.Combine(HandlerSources.RepositoryRoot, "docs", "handlers.md"));
        var errors = doc[doc.IndexOf("## Errors (RFC 9457)", StringComparison.Ordinal)..doc.IndexOf("## Resilience", StringComparison.Ordinal)];
        var documented = TableSuffixes().Matches(errors).Skip(1).SelectMany(m => CodeSpan().Matches(m.Groups[1].Value).Select(c => c.Groups[1].Value)).ToList();
        Assert.NotEmpty(documented);
        Assert.All(documented, t => Assert.True(CatalogTypes.Contains(t) || t.StartsWith(Problems.Types.HttpStatusPrefix, StringComparison.Ordinal),
            $"docs/handlers.md names the problem type '{t}', which Problems.Types does not hold."));
    }

    [Fact]
    public void Problems_carry_their_catalog_type_uri()
    {
        Assert.Equal(Problems.TypeUri(Problems.Types.JobTooLarge), Problems.JobTooLarge("x").Problem.Type);
        Assert.Equal(Problems.TypeUri(Problems.Types.SubmissionInProgress), Problems.SubmissionInProgress("x", TimeSpan.FromSeconds(2)).Problem.Type);
        Assert.Equal(Problems.TypeUri(Problems.Types.HttpStatusPrefix + "418"), Problems.ForStatus(418).Type);
        Assert.All(CatalogTypes, t => Assert.Matches("^[a-z]+(-[a-z0-9]+)*-?$", t));
    }

    private static string NameOf(string type) =>
        typeof(Problems.Types).GetFields(BindingFlags.Public | BindingFlags.Static).Single(f => (string)f.GetRawConstantValue()! == type).Name;

    /// <summary>A problem built by hand: its type URI, a <c>new Problem(</c>, an exception around a target-typed one, or a changed type or title.</summary>
    [GeneratedRegex(@"awsmodelplatform\.dev/problems|new\s+Problem\s*\(|ApiProblemException\s*\(\s*new\s*\(|with\s*\{[^}]*\b(Type|Title)\s*=")]
    private static partial Regex ProblemBuilt();

    [GeneratedRegex(@"Base\s*\+\s*""")]
    private static partial Regex LiteralAfterBase();

    [GeneratedRegex(@"awsmodelplatform\.dev/problems/")]
    private static partial Regex BaseUri();

    /// <summary>The last cell of each row of the errors table (its header first).</summary>
    [GeneratedRegex(@"^\|.*\|\s*([^|]*)\|\s*$", RegexOptions.Multiline)]
    private static partial Regex TableSuffixes();

    [GeneratedRegex(@"`([a-z][a-z0-9-]*)`")]
    private static partial Regex CodeSpan();
}
