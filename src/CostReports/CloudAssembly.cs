using System.Text.Json.Nodes;

namespace AwsModelPlatform.CostReports;

/// <summary>One synthesized stack: its name and its CloudFormation template.</summary>
/// <param name="Name">The stack's artifact id (e.g. <c>Foundation</c>).</param>
/// <param name="Template">The template.</param>
/// <param name="LogicalIdPaths">Construct paths (from the stack) by logical id, from the manifest's <c>aws:cdk:logicalId</c> metadata.</param>
/// <param name="Region">The stack's region from the manifest's environment, or null when it is not known (an environment-agnostic stack).</param>
public sealed record StackTemplate(string Name, JsonObject Template, IReadOnlyDictionary<string, string>? LogicalIdPaths = null, string? Region = null)
{
    /// <summary>Template resources by logical id.</summary>
    public IEnumerable<(string LogicalId, JsonObject Resource)> Resources =>
        (Template["Resources"] as JsonObject ?? new JsonObject()).Select(r => (r.Key, (JsonObject)r.Value!));

    /// <summary>The construct path of a resource below its stack (from <c>aws:cdk:path</c>, without <c>/Resource</c>), else its logical id.</summary>
    public string PathOf(string logicalId, JsonObject resource)
    {
        var path = resource["Metadata"]?["aws:cdk:path"]?.GetValue<string>()
            ?? (LogicalIdPaths?.TryGetValue(logicalId, out var fromManifest) == true ? fromManifest : null);
        if (path is null) return logicalId;
        if (path.StartsWith(Name + "/", StringComparison.Ordinal)) path = path[(Name.Length + 1)..];
        return path.EndsWith("/Resource", StringComparison.Ordinal) ? path[..^"/Resource".Length] : path;
    }
}

/// <summary>Reads a cloud assembly (<c>cdk.out</c>): the stacks its manifest lists and their templates.</summary>
public static class CloudAssembly
{
    /// <summary>The stacks of the assembly in <paramref name="directory"/>, ordered by name.</summary>
    public static IReadOnlyList<StackTemplate> Read(string directory)
    {
        var manifestPath = Path.Combine(directory, "manifest.json");
        if (!File.Exists(manifestPath))
            throw new CliException($"'{directory}' is not a cloud assembly: it has no manifest.json. Synthesize first: dotnet run --project cdk");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var stacks = new List<StackTemplate>();
        foreach (var (id, artifact) in manifest["artifacts"]?.AsObject() ?? new JsonObject())
        {
            if (artifact?["type"]?.GetValue<string>() != "aws:cloudformation:stack") continue;
            var file = artifact["properties"]?["templateFile"]?.GetValue<string>() ?? $"{id}.template.json";
            var template = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, file)))!.AsObject();
            // The manifest maps each resource's construct path to its logical id ("/Stack/Path/Resource": aws:cdk:logicalId).
            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (path, entries) in artifact["metadata"]?.AsObject() ?? new JsonObject())
                foreach (var entry in entries?.AsArray() ?? new JsonArray())
                    if (entry?["type"]?.GetValue<string>() == "aws:cdk:logicalId" && entry["data"] is JsonValue data && data.TryGetValue<string>(out var logicalId))
                        paths.TryAdd(logicalId, path.TrimStart('/'));
            stacks.Add(new StackTemplate(id, template, paths, RegionOf(artifact["environment"]?.GetValue<string>())));
        }
        return stacks.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    // The manifest names a stack's environment aws://ACCOUNT/REGION, with unknown-region for an agnostic stack.
    private static string? RegionOf(string? environment)
    {
        var region = environment?.Split('/').LastOrDefault();
        return region is null or "" or "unknown-region" ? null : region;
    }
}

/// <summary>A usage error: printed without a stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
