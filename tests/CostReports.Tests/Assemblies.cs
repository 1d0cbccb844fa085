using System.Text.Json.Nodes;
using AwsModelPlatform.CostReports;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>Small hand-made templates and cloud assemblies.</summary>
internal static class Assemblies
{
    public static JsonObject Resource(string type, string path, object? properties = null, JsonObject? metadata = null)
    {
        var meta = metadata ?? new JsonObject();
        meta["aws:cdk:path"] = path + "/Resource";
        var r = new JsonObject { ["Type"] = type, ["Metadata"] = meta };
        if (properties is not null) r["Properties"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(properties));
        return r;
    }

    public static StackTemplate Stack(string name, params (string Id, JsonObject Resource)[] resources)
    {
        var res = new JsonObject();
        foreach (var (id, r) in resources) res[id] = r;
        return new StackTemplate(name, new JsonObject { ["Resources"] = res });
    }

    /// <summary>Writes a cloud assembly (manifest.json and one template per stack) into a new temp directory.</summary>
    public static string Write(params StackTemplate[] stacks)
    {
        var dir = Directory.CreateTempSubdirectory("cost-reports-test-").FullName;
        var artifacts = new JsonObject();
        foreach (var s in stacks)
        {
            File.WriteAllText(Path.Combine(dir, s.Name + ".template.json"), s.Template.ToJsonString());
            artifacts[s.Name] = new JsonObject { ["type"] = "aws:cloudformation:stack", ["properties"] = new JsonObject { ["templateFile"] = s.Name + ".template.json" } };
        }
        artifacts["Tree"] = new JsonObject { ["type"] = "cdk:tree" };
        File.WriteAllText(Path.Combine(dir, "manifest.json"), new JsonObject { ["version"] = "38.0.1", ["artifacts"] = artifacts }.ToJsonString());
        return dir;
    }

    public static JsonObject EndpointCost(string hosting, string instanceType, int min, int max, bool isAsync = false, int memoryMb = 0, int provisioned = 0,
        int warmInstances = 0, double warmHours = 0) => new()
    {
        ["AwsModelPlatform:Cost"] = new JsonObject
        {
            ["hosting"] = hosting, ["async"] = isAsync, ["instanceType"] = instanceType, ["minInstances"] = min, ["maxInstances"] = max,
            ["serverlessMemoryMb"] = memoryMb, ["serverlessMaxConcurrency"] = memoryMb > 0 ? 10 : 0, ["serverlessProvisionedConcurrency"] = provisioned,
            ["warmInstances"] = warmInstances, ["warmHoursPerMonth"] = warmHours,
        },
    };
}
