using System.Text;
using System.Text.Json.Nodes;
using Amazon.CDK.CXAPI;

namespace AwsModelPlatform.Cdk;

/// <summary>A short account of what was synthesized: stacks, resource counts per type, where the templates are.</summary>
public static class SynthSummary
{
    public static string Describe(CloudAssembly assembly)
    {
        var text = new StringBuilder($"Synthesized {assembly.Stacks.Length} stack(s) into {assembly.Directory}\n");
        foreach (var stack in assembly.Stacks)
        {
            var path = Path.Combine(assembly.Directory, stack.TemplateFile);
            var resources = JsonNode.Parse(File.ReadAllText(path))?["Resources"]?.AsObject() ?? new JsonObject();
            text.Append($"\n{stack.StackName}: {resources.Count} resources, template {path}\n");
            var counts = resources
                .GroupBy(r => r.Value?["Type"]?.GetValue<string>() ?? "?")
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key);
            foreach (var group in counts)
                text.Append($"  {group.Count(),4}  {group.Key}\n");
        }
        return text.ToString();
    }
}
