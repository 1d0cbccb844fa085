using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace AwsModelPlatform.Constructs.Tests;

/// <summary>Builds constructs in a fresh, environment-agnostic stack and reads back the synthesized template.</summary>
internal static class Synth
{
    static Synth()
    {
        foreach (var (name, value) in new[] { ("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1"), ("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1"), ("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20") })
            System.Environment.SetEnvironmentVariable(name, value);
    }

    public static Stack NewStack(string id = "Test") => new(new App(), id);

    public static Template Template(Action<Stack> build)
    {
        var stack = NewStack();
        build(stack);
        return Amazon.CDK.Assertions.Template.FromStack(stack);
    }

    /// <summary>The template as JSON, for assertions the CDK matchers cannot express.</summary>
    public static JsonNode Json(this Template template) => JsonNode.Parse(JsonSerializer.Serialize(template.ToJSON()))!;

    /// <summary>The resources of one type, by logical id.</summary>
    public static List<KeyValuePair<string, JsonNode>> Resources(this Template template, string type) =>
        template.Json()["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == type)
            .Select(r => KeyValuePair.Create(r.Key, r.Value!))
            .ToList();

    /// <summary>The only resource of a type.</summary>
    public static JsonNode Single(this Template template, string type) => Assert.Single(template.Resources(type)).Value;

    /// <summary>The statements of every key policy of the template.</summary>
    public static List<JsonNode> KeyPolicyStatements(this Template template) =>
        template.Resources("AWS::KMS::Key").SelectMany(k => k.Value["Properties"]!["KeyPolicy"]!["Statement"]!.AsArray()).Select(s => s!).ToList();

    public static string Text(this JsonNode? node) => node?.ToJsonString() ?? "";

    public static string ErrorOf(Action build) => Assert.Throws<ArgumentException>(build).Message;

    public static string[] Warnings(Stack stack) =>
        Amazon.CDK.Assertions.Annotations.FromStack(stack).FindWarning("*", Match.AnyValue()).Select(m => m.Entry.Data?.ToString() ?? "").ToArray();
}
