using System.Text.Json.Nodes;

namespace AwsModelPlatform.InferenceApi.Tests;

/// <summary>
/// Resolves the CloudFormation intrinsics of the synthesized templates to the concrete values of one deployment: a
/// fixed account and region, buckets by their <c>BucketName</c>, the platform key (exported by the Foundation stack)
/// as the key created in moto. Anything it does not know fails the test, so nothing is silently guessed.
/// </summary>
public sealed class Intrinsics(JsonObject template, JsonObject? exporter, string account, string region, string keyArn)
{
    public const string Partition = "aws";

    private JsonObject Resources => template["Resources"]!.AsObject();

    public JsonNode Resolve(JsonNode? node) => node switch
    {
        JsonValue value => value.DeepClone(),
        JsonArray array => new JsonArray(array.Select(item => Resolve(item)).ToArray()),
        JsonObject obj when obj.Count == 1 && obj.First().Key.StartsWith("Fn::", StringComparison.Ordinal) || obj.Count == 1 && obj.First().Key == "Ref" => Function(obj.First().Key, obj.First().Value!),
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Resolve(p.Value)))),
        _ => throw new InvalidOperationException("null in a template value"),
    };

    public string String(JsonNode? node) => Resolve(node).GetValue<string>();

    private JsonNode Function(string name, JsonNode argument) => name switch
    {
        "Ref" => Ref(argument.GetValue<string>()),
        "Fn::Join" => string.Join(argument[0]!.GetValue<string>(), argument[1]!.AsArray().Select(String)),
        "Fn::GetAtt" => GetAtt(argument[0]!.GetValue<string>(), argument[1]!.GetValue<string>()),
        "Fn::ImportValue" => Import(String(argument)),
        _ => throw new NotSupportedException($"intrinsic {name} is not resolved by the test"),
    };

    private JsonNode Ref(string id) => id switch
    {
        "AWS::AccountId" => account,
        "AWS::Region" => region,
        "AWS::Partition" => Partition,
        "AWS::URLSuffix" => "amazonaws.com",
        _ => Type(id) switch
        {
            "AWS::S3::Bucket" => String(Resources[id]!["Properties"]!["BucketName"]),
            var type => throw new NotSupportedException($"Ref of {id} ({type})"),
        },
    };

    private JsonNode GetAtt(string id, string attribute) => (Type(id), attribute) switch
    {
        ("AWS::S3::Bucket", "Arn") => $"arn:{Partition}:s3:::{String(Resources[id]!["Properties"]!["BucketName"])}",
        ("AWS::KMS::Key", "Arn") => keyArn,
        ("AWS::Logs::LogGroup", "Arn") => $"arn:{Partition}:logs:{region}:{account}:log-group:{String(Resources[id]!["Properties"]!["LogGroupName"])}:*",
        var other => throw new NotSupportedException($"GetAtt {id}.{attribute} ({other.Item1})"),
    };

    private JsonNode Import(string exportName)
    {
        var output = exporter?["Outputs"]?.AsObject().Select(o => o.Value!).SingleOrDefault(o => o["Export"]?["Name"]?.GetValue<string>() == exportName)
                     ?? throw new InvalidOperationException($"no stack exports {exportName}");
        return new Intrinsics(exporter!, null, account, region, keyArn).Resolve(output["Value"]);
    }

    private string Type(string id) => Resources[id]?["Type"]?.GetValue<string>() ?? throw new InvalidOperationException($"no resource {id}");
}
