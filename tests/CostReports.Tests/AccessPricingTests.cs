using System.Text.Json.Nodes;
using static AwsModelPlatform.CostReports.Tests.Assemblies;

namespace AwsModelPlatform.CostReports.Tests;

/// <summary>
/// Governed access from the template: the access table, the authorizer function and the HMAC key, found through the
/// handler functions' environment, priced for the profile's traffic (figures by hand from prices.json, us-east-1).
/// </summary>
public class AccessPricingTests
{
    internal static readonly UsageProfile Usage = new()
    {
        Apis = new() { ["Test/Api/Rest"] = new ApiUsage { RequestsPerMonth = 1_000_000 } },
        Functions = new() { ["Test/Api/Model"] = new FunctionUsage { InvocationsPerMonth = 1_000_000, DurationMs = 900 } },
        Access = new AccessUsage { KeyCacheHitRate = 0.9 },
    };

    private static decimal Usd(IEnumerable<ReportLine> lines, string resource, string unit) =>
        Assert.Single(lines, l => l.Resource == resource && l.Unit == unit).MonthlyUsd;

    private static double Quantity(IEnumerable<ReportLine> lines, string resource, string unit) =>
        Assert.Single(lines, l => l.Resource == resource && l.Unit == unit).Quantity;

    /// <summary>
    /// The resources of an API with team access as the constructs write them: the table, the HMAC key, the model-route
    /// function and the authorizer function (their environment naming both), the REST API and its REQUEST authorizer.
    /// </summary>
    internal static (string, JsonObject)[] TeamAccess(int? authorizerTtl = 300, string keyCacheSeconds = "0", bool pitr = true)
    {
        var authorizer = new JsonObject
        {
            ["Type"] = "REQUEST",
            ["RestApiId"] = new JsonObject { ["Ref"] = "Rest" },
            ["AuthorizerUri"] = JsonNode.Parse("""
                {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":apigateway:",{"Ref":"AWS::Region"},":lambda:path/2015-03-31/functions/",
                 {"Fn::GetAtt":["AuthFn","Arn"]},"/invocations"]]}
                """),
        };
        if (authorizerTtl is { } ttl) authorizer["AuthorizerResultTtlInSeconds"] = ttl;
        return
        [
            ("Table", Resource("AWS::DynamoDB::Table", "Api/Access/Table", JsonNode.Parse($$$"""
                {"BillingMode":"PAY_PER_REQUEST","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":{{{(pitr ? "true" : "false")}}}},
                 "TimeToLiveSpecification":{"AttributeName":"expiresAt","Enabled":true}}
                """))),
            ("Hmac", Resource("AWS::KMS::Key", "Api/Access/HmacKey", JsonNode.Parse("""{"KeySpec":"HMAC_256","KeyUsage":"GENERATE_VERIFY_MAC"}"""))),
            ("ModelFn", Resource("AWS::Lambda::Function", "Api/Model", JsonNode.Parse("""
                {"MemorySize":1024,"Environment":{"Variables":{"Api__RouteGroups":"inference","Access__TableName":{"Ref":"Table"}}}}
                """))),
            ("AuthFn", Resource("AWS::Lambda::Function", "Api/Access/Authorizer", JsonNode.Parse($$$$"""
                {"MemorySize":256,"Environment":{"Variables":{"Api__RouteGroups":"authorizer","Access__TableName":{"Ref":"Table"},
                 "Access__HmacKeyId":{"Fn::GetAtt":["Hmac","Arn"]},"Access__KeyCacheSeconds":"{{{{keyCacheSeconds}}}}"}}}
                """))),
            ("Rest", Resource("AWS::ApiGateway::RestApi", "Api/Rest")),
            ("Authorizer", Resource("AWS::ApiGateway::Authorizer", "Api/Rest/KeyAuthorizer", authorizer)),
        ];
    }

    private static List<ReportLine> Price(UsageProfile usage, params (string, JsonObject)[] resources) =>
        new Pricers(PriceTable.Default, usage).Price(Stack("Test", resources));

    [Fact]
    public void The_access_table_bills_the_limiters_writes_and_the_reads_of_each_model_route_request_and_each_key_lookup()
    {
        var lines = Price(Usage, TeamAccess());
        // 1 M model-route requests × (3 limit-window writes + 3 settling writes) = 6 M write units × $0.625 / M = $3.75
        Assert.Equal(6_000_000, Quantity(lines, "Api/Access/Table", "write-request-unit"));
        Assert.Equal(3.75m, Usd(lines, "Api/Access/Table", "write-request-unit"));
        // 1 M team-limit reads + 100,000 key lookups (the gateway cache answers 90 %) = 1.1 M read units × $0.125 / M = $0.1375
        Assert.Equal(1_100_000, Quantity(lines, "Api/Access/Table", "read-request-unit"), 6);
        Assert.Equal(0.14m, Usd(lines, "Api/Access/Table", "read-request-unit"));
        // 1 GB stored × $0.25, and point-in-time recovery on the same GB × $0.20.
        var gbMonths = lines.Where(l => l.Resource == "Api/Access/Table" && l.Unit == "GB-month").ToList();
        Assert.Equal([0.25m, 0.20m], gbMonths.Select(l => l.MonthlyUsd));
        Assert.Contains("point-in-time recovery", gbMonths[1].Note);
    }

    [Fact]
    public void A_table_without_point_in_time_recovery_bills_no_backup_storage()
    {
        var lines = Price(Usage, TeamAccess(pitr: false));
        Assert.Single(lines, l => l.Resource == "Api/Access/Table" && l.Unit == "GB-month");
    }

    [Fact]
    public void The_authorizer_is_invoked_only_on_the_gateway_caches_misses()
    {
        var lines = Price(Usage, TeamAccess(authorizerTtl: 300));
        // 1 M API requests × (1 − 0.9) = 100,000 invocations × $0.20 / M
        Assert.Equal(100_000, Quantity(lines, "Api/Access/Authorizer", "request"), 6);
        Assert.Equal(0.02m, Usd(lines, "Api/Access/Authorizer", "request"));
        // 100,000 × 50 ms × 256 MB = 1,250 GB-s × $0.0000166667
        Assert.Equal(1250, Quantity(lines, "Api/Access/Authorizer", "GB-second"), 6);
        Assert.Contains("authorizer cache", lines.First(l => l.Resource == "Api/Access/Authorizer").Note);
        // The template's TTL decides, not the profile: API Gateway's default TTL (300 s) when the template sets none.
        Assert.Equal(100_000, Quantity(Price(Usage, TeamAccess(authorizerTtl: null)), "Api/Access/Authorizer", "request"), 6);
    }

    [Fact]
    public void Without_the_gateway_cache_the_authorizer_runs_on_every_request_and_its_own_key_cache_saves_the_lookups()
    {
        var uncached = Price(Usage, TeamAccess(authorizerTtl: 0));
        Assert.Equal(1_000_000, Quantity(uncached, "Api/Access/Authorizer", "request"), 6);
        // Every invocation looks its key up: 1 M team-limit reads + 1 M key reads.
        Assert.Equal(2_000_000, Quantity(uncached, "Api/Access/Table", "read-request-unit"), 6);
        Assert.Equal(1_000_000, Quantity(uncached, "Api/Access/HmacKey", "request"), 6);

        var inMemory = Price(Usage, TeamAccess(authorizerTtl: 0, keyCacheSeconds: "60"));
        Assert.Equal(1_000_000, Quantity(inMemory, "Api/Access/Authorizer", "request"), 6);
        Assert.Equal(1_100_000, Quantity(inMemory, "Api/Access/Table", "read-request-unit"), 6);
        Assert.Equal(100_000, Quantity(inMemory, "Api/Access/HmacKey", "request"), 6);
    }

    [Fact]
    public void The_HMAC_key_bills_its_key_month_and_one_MAC_per_key_lookup_instead_of_the_per_key_requests()
    {
        var lines = Price(Usage with { KmsRequestsPerKeyPerMonth = 500_000 }, TeamAccess());
        var key = lines.Where(l => l.Resource == "Api/Access/HmacKey").ToList();
        Assert.Equal(2, key.Count);
        Assert.Equal(1.00m, Usd(key, "Api/Access/HmacKey", "key-month"));
        // 100,000 key lookups × 1 GenerateMac × $0.03 / 10,000 = $0.30 (not the profile's 500,000 requests per key)
        Assert.Equal(100_000, Quantity(key, "Api/Access/HmacKey", "request"), 6);
        Assert.Equal(0.30m, Usd(key, "Api/Access/HmacKey", "request"));
        Assert.Equal("mac-request", Assert.Single(key, l => l.Unit == "request").Price!.Sku);
    }

    [Fact]
    public void A_table_no_access_function_uses_bills_its_storage_but_no_requests()
    {
        var lines = Price(Usage, ("Other", Resource("AWS::DynamoDB::Table", "Other/Table", new { BillingMode = "PAY_PER_REQUEST" })));
        Assert.Equal(0, Quantity(lines, "Other/Table", "write-request-unit"));
        Assert.Contains("no access function", lines[0].Note);
        Assert.Equal(0.25m, Usd(lines, "Other/Table", "GB-month"));
    }

    [Theory]
    [InlineData("eu-central-1")]
    [InlineData("ap-northeast-1")]
    [InlineData("us-west-2")]
    public void DynamoDB_and_MAC_requests_are_priced_at_the_stacks_regional_prices(string region)
    {
        var lines = new Pricers(PriceTable.Default, Usage).Price(Stack("Test", TeamAccess()) with { Region = region });
        var priced = new[] { ("write-request-unit", PriceTable.DynamoDb, "on-demand.write-request"), ("request", PriceTable.Kms, "mac-request") };
        foreach (var (unit, service, sku) in priced)
        {
            var line = Assert.Single(lines, l => l.Unit == unit && l.Price?.Service == service);
            Assert.Equal(region, line.Price!.Region);
            Assert.Equal(PriceTable.Default.Get(region, service, sku).Usd, line.UnitPriceUsd);
        }
        // The report names the stand-ins it used: none of these regions' DynamoDB figures was read for the region.
        Assert.Contains("dynamodb on-demand.write-request", Reports.UnverifiedPrices(lines));
    }
}
