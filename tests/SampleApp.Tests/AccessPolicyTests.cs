using System.Text.Json.Nodes;
using AwsModelPlatform.Cdk;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// The sample's access table grants (AccessLayout's item families key#, team#, usage#), judged by the IAM simulator
/// (<c>@cloud-copilot/iam-simulate</c>) with the <c>dynamodb:LeadingKeys</c> each request carries: the authorizer reads
/// key records and nothing of the teams; the inference functions count in team and usage items and never read a key
/// record; the admin function manages the table.
/// </summary>
public class AccessPolicyTests(SampleTemplates app) : IClassFixture<SampleTemplates>
{
    private const string Account = SampleTemplates.Account;
    private const string Region = SampleTemplates.Region;

    private string TableArn => $"arn:aws:dynamodb:{Region}:{Account}:table/{SampleTemplates.Single(app.Inference, "AWS::DynamoDB::Table").Id}";

    private PolicySimulator RoleOf(string functionPrefix)
    {
        var function = app.Inference["Resources"]!.AsObject().Single(r => r.Key.StartsWith(functionPrefix + "Function", StringComparison.Ordinal)
            && r.Value!["Type"]!.GetValue<string>() == "AWS::Lambda::Function").Value!;
        var role = function["Properties"]!["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        var intrinsics = new Intrinsics(app.Inference, app.Foundation, Account, Region, SampleTemplates.KeyArn);
        // KMS needs the key policy too: the HMAC key's (the Inference stack's one key), which lets the account's IAM policies decide.
        return new PolicySimulator($"arn:aws:iam::{Account}:role/{role}", Account, intrinsics.RolePolicy(role),
            new Dictionary<string, JsonObject> { [SampleTemplates.KeyArn] = intrinsics.KeyPolicy() });
    }

    private static JsonObject Items(string partitionKey) => new() { ["dynamodb:LeadingKeys"] = new JsonArray(partitionKey) };

    private static void Allowed(PolicyDecision d) => Assert.True(d.Allowed, $"{d.Action} on {d.Resource}: {d.Result} {d.Detail}");
    private static void Denied(PolicyDecision d) => Assert.False(d.Allowed, $"{d.Action} on {d.Resource} was allowed");

    [Fact]
    public void The_authorizer_may_read_key_records_and_not_team_items()
    {
        using var iam = RoleOf("AccessAuthorizer");
        Allowed(iam.Decide("dynamodb:GetItem", TableArn, Items($"key#ABCDEFGHJKMN")));
        Denied(iam.Decide("dynamodb:GetItem", TableArn, Items($"team#research")));
        Denied(iam.Decide("dynamodb:PutItem", TableArn, Items($"key#ABCDEFGHJKMN")));
        Denied(iam.Decide("dynamodb:Scan", TableArn));
        Allowed(iam.Decide("kms:GenerateMac", SampleTemplates.KeyArn));
    }

    [Theory]
    [InlineData("ApiBuffered")]
    [InlineData("ApiStreaming")]
    [InlineData("IamApiBuffered")]
    public void The_inference_functions_may_count_in_team_and_usage_items_and_not_read_key_records(string function)
    {
        using var iam = RoleOf(function);
        Allowed(iam.Decide("dynamodb:UpdateItem", TableArn, Items($"team#research")));
        Allowed(iam.Decide("dynamodb:GetItem", TableArn, Items($"team#research")));
        Allowed(iam.Decide("dynamodb:UpdateItem", TableArn, Items($"usage#research#2026-12")));
        Denied(iam.Decide("dynamodb:GetItem", TableArn, Items($"key#ABCDEFGHJKMN")));
        Denied(iam.Decide("dynamodb:Scan", TableArn));
        Denied(iam.Decide("kms:GenerateMac", SampleTemplates.KeyArn));
    }

    [Fact]
    public void The_admin_function_may_manage_the_whole_table()
    {
        using var iam = RoleOf("AccessAdmin");
        foreach (var prefix in new[] { "key#ABCDEFGHJKMN", "team#research", "usage#research#2026-12" })
        {
            Allowed(iam.Decide("dynamodb:PutItem", TableArn, Items(prefix)));
            Allowed(iam.Decide("dynamodb:Query", TableArn, Items(prefix)));
        }
        Allowed(iam.Decide("dynamodb:Scan", TableArn));
        Allowed(iam.Decide("kms:GenerateMac", SampleTemplates.KeyArn));
    }

    [Fact]
    public void The_IAM_API_maps_the_research_role_to_its_team()
    {
        var variables = app.Inference["Resources"]!.AsObject().Single(r => r.Key.StartsWith("IamApiBufferedFunction", StringComparison.Ordinal)).Value!["Properties"]!["Environment"]!["Variables"]!;
        Assert.Contains(InferenceStack.IamTeamRole, variables["Access__CallerTeams__0__Caller"]!.ToJsonString());
        Assert.Equal(InferenceStack.IamTeam, variables["Access__CallerTeams__0__Team"]!.GetValue<string>());
    }
}
