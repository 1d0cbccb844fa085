using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;

namespace AwsModelPlatform.Constructs.Access;

/// <summary>
/// The access table's grants, each scoped to the item families a function uses (<see cref="AccessLayout"/>) with
/// <c>dynamodb:LeadingKeys</c>, and the table key through DynamoDB only.
/// </summary>
internal static class AccessGrants
{
    /// <summary>What the authorizer does: read key records.</summary>
    public static readonly string[] AuthorizerActions = ["dynamodb:GetItem"];

    /// <summary>What the inference functions do: read limits, count in the windows, add to the ledger, read a team's usage.</summary>
    public static readonly string[] InferenceActions = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"];

    /// <summary>What the admin routes do: write key records and limits, list keys (a scan), read the ledger.</summary>
    public static readonly string[] AdminActions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"];

    /// <summary>
    /// Lets <paramref name="role"/> call <paramref name="actions"/> on <paramref name="table"/>, on items whose partition
    /// key matches one of <paramref name="leadingKeys"/> (none: the whole table), and use the table's key through DynamoDB.
    /// </summary>
    /// <remarks>
    /// <c>ForAllValues:StringLike</c> on <c>dynamodb:LeadingKeys</c>
    /// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html) is true for a request
    /// without a partition key, so the scoped grants name only actions that always carry one (no <c>Scan</c>).
    /// </remarks>
    public static void Grant(IRole role, ITable table, IKey tableKey, string sid, string[] actions, string[]? leadingKeys)
    {
        var items = new PolicyStatement(new PolicyStatementProps
        {
            Sid = sid,
            Actions = actions,
            Resources = [table.TableArn],
            Conditions = leadingKeys is null ? null : new Dictionary<string, object>
            {
                ["ForAllValues:StringLike"] = new Dictionary<string, object> { ["dynamodb:LeadingKeys"] = leadingKeys },
            },
        });
        role.AddToPrincipalPolicy(items);
        var writes = actions.Any(a => a is "dynamodb:PutItem" or "dynamodb:UpdateItem");
        // DynamoDB uses the table's customer managed key on the caller's behalf
        // (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html): through DynamoDB only.
        var stack = Stack.Of(table);
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = sid + "TableKey",
            Actions = writes ? ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] : ["kms:Decrypt", "kms:DescribeKey"],
            Resources = [tableKey.KeyArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"dynamodb.{stack.Region}.{stack.UrlSuffix}" },
            },
        }));
    }

    /// <summary>Lets <paramref name="role"/> compute key MACs with the HMAC key (<c>kms:GenerateMac</c>, the one call the handler makes with it).</summary>
    public static void GrantMac(IRole role, IKey hmacKey, string sid) => role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
    {
        Sid = sid,
        Actions = ["kms:GenerateMac"],
        Resources = [hmacKey.KeyArn],
    }));
}
