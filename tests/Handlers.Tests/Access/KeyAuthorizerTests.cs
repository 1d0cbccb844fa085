using System.Text.Json;
using System.Text.Json.Nodes;
using AwsModelPlatform.Handlers.Access;
using Microsoft.Extensions.Time.Testing;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>The REQUEST authorizer against moto's DynamoDB and KMS, with events shaped as API Gateway sends them.</summary>
public sealed class KeyAuthorizerTests(AccessMoto moto) : IClassFixture<AccessMoto>
{
    private const string MethodArn = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/POST/v1/chat/completions";
    private const string Stage = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*";

    private async Task<(KeyAuthorizer Authorizer, KeyStore Store, FakeTimeProvider Clock)> NewAsync(TimeSpan cacheTtl)
    {
        var clock = AccessMoto.Clock();
        var store = new KeyStore(moto.Dynamo, await moto.NewTableAsync(), new KeyMac(moto.Kms, moto.HmacKeyId), clock);
        return (new KeyAuthorizer(store, clock, cacheTtl), store, clock);
    }

    private static AuthorizerRequest Event(Dictionary<string, string?> headers, string? methodArn = MethodArn) => new("REQUEST", methodArn, headers);

    [Fact]
    public async Task A_valid_key_in_either_header_is_allowed_on_the_whole_stage_as_its_team()
    {
        var (authorizer, store, _) = await NewAsync(TimeSpan.Zero);
        var (key, _) = await store.CreateAsync("research", "a", null, default);
        foreach (var headers in new[] { new Dictionary<string, string?> { ["Authorization"] = $"Bearer {key}" }, new() { ["X-Api-Key"] = key.ToString() } })
        {
            var answer = await authorizer.AuthorizeAsync(Event(headers), default);
            var statement = Assert.Single(answer.PolicyDocument.Statement);
            Assert.Equal(("execute-api:Invoke", "Allow", Stage), (statement.Action, statement.Effect, statement.Resource));
            Assert.Equal($"research/{key.KeyId}", answer.PrincipalId);
            Assert.Equal("research", answer.Context["team"]);
            Assert.Equal(key.KeyId, answer.Context["keyId"]);
        }
    }

    [Fact]
    public async Task Missing_malformed_unknown_and_conflicting_keys_are_denied_with_the_reason()
    {
        var (authorizer, store, _) = await NewAsync(TimeSpan.Zero);
        var (key, _) = await store.CreateAsync("research", "a", null, default);
        var cases = new (Dictionary<string, string?> Headers, string Detail)[]
        {
            (new(), KeyPresentation.Missing.Problem!),
            (new() { ["authorization"] = "Basic dXNlcjpwYXNz" }, KeyPresentation.Malformed.Problem!),
            (new() { ["authorization"] = "Bearer " + new string('a', 70_000) }, KeyPresentation.Malformed.Problem!),
            (new() { ["authorization"] = $"Bearer {ApiKey.New()}" }, "The API key is not valid"),
            (new() { ["authorization"] = $"Bearer {key}", ["x-api-key"] = ApiKey.New().ToString() }, KeyPresentation.Conflicting.Problem!),
        };
        foreach (var (headers, detail) in cases)
        {
            var answer = await authorizer.AuthorizeAsync(Event(headers), default);
            Assert.Equal("Deny", Assert.Single(answer.PolicyDocument.Statement).Effect);
            Assert.Equal("anonymous", answer.PrincipalId);
            Assert.StartsWith(detail, answer.Context["detail"]);
            Assert.False(answer.Context.ContainsKey("team"));
        }
    }

    [Fact]
    public async Task A_revoked_key_is_denied_once_the_cache_ttl_has_passed()
    {
        var (authorizer, store, clock) = await NewAsync(TimeSpan.FromSeconds(60));
        var (key, _) = await store.CreateAsync("research", "a", null, default);
        var headers = new Dictionary<string, string?> { ["Authorization"] = $"Bearer {key}" };
        Assert.Equal("Allow", (await authorizer.AuthorizeAsync(Event(headers), default)).PolicyDocument.Statement[0].Effect);
        await store.RevokeAsync(key.KeyId, default);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("Allow", (await authorizer.AuthorizeAsync(Event(headers), default)).PolicyDocument.Statement[0].Effect);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Deny", (await authorizer.AuthorizeAsync(Event(headers), default)).PolicyDocument.Statement[0].Effect);
    }

    [Fact]
    public async Task A_cached_key_stops_working_when_it_expires_even_within_the_ttl()
    {
        var (authorizer, store, clock) = await NewAsync(TimeSpan.FromMinutes(5));
        var (key, _) = await store.CreateAsync("research", "a", clock.GetUtcNow().AddSeconds(30), default);
        var headers = new Dictionary<string, string?> { ["x-api-key"] = key.ToString() };
        Assert.Equal("Allow", (await authorizer.AuthorizeAsync(Event(headers), default)).PolicyDocument.Statement[0].Effect);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("Deny", (await authorizer.AuthorizeAsync(Event(headers), default)).PolicyDocument.Statement[0].Effect);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:f")]
    [InlineData("arn:aws:execute-api:us-east-1:123456789012:abcdef123")]
    [InlineData("arn:aws:execute-api:us-east-1:1234:abcdef123/prod/GET/")]
    public async Task An_event_without_a_method_arn_of_this_kind_is_denied_everywhere(string? methodArn)
    {
        var (authorizer, store, _) = await NewAsync(TimeSpan.Zero);
        var (key, _) = await store.CreateAsync("research", "a", null, default);
        var answer = await authorizer.AuthorizeAsync(Event(new() { ["authorization"] = $"Bearer {key}" }, methodArn), default);
        Assert.Equal(("Deny", "*"), (answer.PolicyDocument.Statement[0].Effect, answer.PolicyDocument.Statement[0].Resource));
    }

    [Fact]
    public void The_stage_of_a_method_arn_keeps_partition_region_account_api_and_stage()
    {
        Assert.Equal(Stage, KeyAuthorizer.StageArn(MethodArn));
        Assert.Equal("arn:aws-cn:execute-api:cn-north-1:123456789012:a1/v1/*", KeyAuthorizer.StageArn("arn:aws-cn:execute-api:cn-north-1:123456789012:a1/v1/GET/"));
    }

    [Fact]
    public void The_answer_has_the_shape_API_Gateway_documents()
    {
        var answer = new AuthorizerResponse("research/k", new PolicyDocument("2012-10-17", [new PolicyStatement("execute-api:Invoke", "Allow", Stage)]), new() { ["team"] = "research" });
        var json = JsonNode.Parse(JsonSerializer.Serialize(answer, AccessJsonContext.Default.AuthorizerResponse))!;
        Assert.Equal("research/k", json["principalId"]!.GetValue<string>());
        Assert.Equal("2012-10-17", json["policyDocument"]!["Version"]!.GetValue<string>());
        Assert.Equal("execute-api:Invoke", json["policyDocument"]!["Statement"]![0]!["Action"]!.GetValue<string>());
        Assert.Equal("research", json["context"]!["team"]!.GetValue<string>());
        var request = JsonSerializer.Deserialize("""
            {"type":"REQUEST","methodArn":"arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request","resource":"/request","path":"/request",
             "httpMethod":"GET","headers":{"X-AMZ-Date":"20170718T062915Z","Accept":"*/*","HeaderAuth1":"headerValue1"},
             "queryStringParameters":{"QueryString1":"queryValue1"},"pathParameters":{},"stageVariables":{"StageVar1":"stageValue1"},
             "requestContext":{"path":"/request","accountId":"123456789012","resourceId":"05c7jb","stage":"test","requestId":"...","identity":{"sourceIp":"..."},"resourcePath":"/request","httpMethod":"GET","apiId":"abcdef123"}}
            """, AccessJsonContext.Default.AuthorizerRequest)!;
        Assert.Equal("headerValue1", request.Headers!["HeaderAuth1"]);
    }
}
