using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsModelPlatform.Constructs.Api;

namespace AwsModelPlatform.Contract.Tests;

/// <summary>
/// A handler function as the constructs synthesized it: its Lambda environment (the handler's configuration and the
/// Web Adapter's variables) and the API Gateway methods whose integration invokes it.
/// </summary>
internal sealed record SynthesizedFunction(string Name, IReadOnlyDictionary<string, string> Environment, IReadOnlySet<string> ApiGatewayMethods)
{
    /// <summary>The function <paramref name="handler"/> of the synthesized <paramref name="template"/>.</summary>
    public static SynthesizedFunction Of(Stack stack, JsonNode template, HandlerFunction handler)
    {
        var id = stack.GetLogicalId((CfnElement)handler.Function.Node.DefaultChild!);
        var resources = template["Resources"]!.AsObject();
        var variables = resources[id]!["Properties"]!["Environment"]!["Variables"]!.AsObject();
        // A value the template resolves at deploy time (a bucket's Ref, a queue's ARN) stands in as a name of its own.
        var environment = variables.ToDictionary(v => v.Key, v => v.Value is JsonValue s && s.TryGetValue<string>(out var text) ? text : Placeholder(v.Value!));
        var methods = resources
            .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ApiGateway::Method")
            .Select(r => r.Value!["Properties"]!)
            .Where(p => p["Integration"]?["Uri"] is { } uri && References(uri, id))
            .Select(p => $"{p["HttpMethod"]!.GetValue<string>()} {PathOf(resources, p["ResourceId"]!)}")
            .ToHashSet(StringComparer.Ordinal);
        return new SynthesizedFunction(handler.Node.Path, environment, methods);
    }

    /// <summary>The template of <paramref name="stack"/> as JSON.</summary>
    public static JsonNode TemplateOf(Stack stack) => JsonNode.Parse(JsonSerializer.Serialize(Template.FromStack(stack).ToJSON()))!;

    private static bool References(JsonNode node, string logicalId) => node switch
    {
        JsonObject o => o.Any(p => (p.Key is "Ref" && p.Value is JsonValue v && v.GetValue<string>() == logicalId)
                                   || (p.Key is "Fn::GetAtt" && p.Value is JsonArray a && a[0]!.GetValue<string>() == logicalId)
                                   || (p.Value is not null && References(p.Value, logicalId))),
        JsonArray a => a.Any(e => e is not null && References(e, logicalId)),
        _ => false,
    };

    // A method's resource: the API's root ("/"), or a path part under its parent.
    private static string PathOf(JsonObject resources, JsonNode resourceId)
    {
        if (resourceId["Ref"] is not { } reference) return "/";
        var properties = resources[reference.GetValue<string>()]!["Properties"]!;
        var parent = PathOf(resources, properties["ParentId"]!);
        return (parent == "/" ? "" : parent) + "/" + properties["PathPart"]!.GetValue<string>();
    }

    private static string Placeholder(JsonNode value) =>
        "deploy-time-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value.ToJsonString())))[..12];
}
