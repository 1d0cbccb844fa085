using System.Text.Json.Nodes;

namespace AwsModelPlatform.SampleApp.Tests;

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
            "AWS::Batch::JobQueue" => JobQueueArn(id),
            // A table's Ref is its name; CloudFormation generates one from the logical id when the template names none.
            "AWS::DynamoDB::Table" => Resources[id]!["Properties"]?["TableName"] is { } name ? String(name) : id,
            // A definition CloudFormation registers is the name's first revision in a new account.
            "AWS::Batch::JobDefinition" => $"arn:{Partition}:batch:{region}:{account}:job-definition/{String(Resources[id]!["Properties"]!["JobDefinitionName"])}:1",
            var type => throw new NotSupportedException($"Ref of {id} ({type})"),
        },
    };

    private JsonNode GetAtt(string id, string attribute) => (Type(id), attribute) switch
    {
        ("AWS::S3::Bucket", "Arn") => $"arn:{Partition}:s3:::{String(Resources[id]!["Properties"]!["BucketName"])}",
        ("AWS::KMS::Key", "Arn") => keyArn,
        // A table without a TableName is named by CloudFormation; here, by its logical id.
        ("AWS::DynamoDB::Table", "Arn") => $"arn:{Partition}:dynamodb:{region}:{account}:table/{id}",
        ("AWS::Batch::JobQueue", "JobQueueArn") => JobQueueArn(id),
        // A log group without a LogGroupName is named by CloudFormation; here, by its logical id.
        ("AWS::Logs::LogGroup", "Arn") => $"arn:{Partition}:logs:{region}:{account}:log-group:{(Resources[id]!["Properties"]!["LogGroupName"] is { } name ? String(name) : id)}:*",
        var other => throw new NotSupportedException($"GetAtt {id}.{attribute} ({other.Item1})"),
    };

    /// <summary>A queue without a <c>JobQueueName</c> is named by CloudFormation; here, by its logical id.</summary>
    private string JobQueueArn(string id) =>
        $"arn:{Partition}:batch:{region}:{account}:job-queue/{(Resources[id]!["Properties"]!["JobQueueName"] is { } name ? String(name) : id)}";

    /// <summary>The statements of every policy attached to the role (its default policy with the grants, and the others) in one document.</summary>
    public JsonObject RolePolicy(string roleId)
    {
        var statements = Resources.Select(r => r.Value!)
            .Where(r => r["Type"]!.GetValue<string>() == "AWS::IAM::Policy" && r["Properties"]!["Roles"]!.AsArray().Any(role => role!["Ref"]?.GetValue<string>() == roleId))
            .SelectMany(r => r["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(Resolve).ToArray();
        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statements) };
    }

    /// <summary>The key policy of the template's one KMS key (the Foundation stack's platform key).</summary>
    public JsonObject KeyPolicy() =>
        Resolve(Resources.Select(r => r.Value!).Single(r => r["Type"]!.GetValue<string>() == "AWS::KMS::Key")["Properties"]!["KeyPolicy"]).AsObject();

    private JsonNode Import(string exportName)
    {
        var output = exporter?["Outputs"]?.AsObject().Select(o => o.Value!).SingleOrDefault(o => o["Export"]?["Name"]?.GetValue<string>() == exportName)
                     ?? throw new InvalidOperationException($"no stack exports {exportName}");
        return new Intrinsics(exporter!, null, account, region, keyArn).Resolve(output["Value"]);
    }

    private string Type(string id) => Resources[id]?["Type"]?.GetValue<string>() ?? throw new InvalidOperationException($"no resource {id}");
}
