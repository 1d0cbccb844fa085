using System.Text;
using System.Text.Json.Nodes;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>
/// A small API Gateway stand-in for an API in key mode: each request becomes a REQUEST authorizer event (the input format of
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html), posted to the
/// authorizer process's pass-through path as the Web Adapter would; a Deny is answered as the API's ACCESS_DENIED gateway
/// response (401 problem with the authorizer's <c>context.detail</c>, docs/access.md); an Allow forwards the request to the
/// inference process with the request context of a Lambda proxy integration
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format:
/// <c>requestContext.authorizer</c> holds <c>principalId</c> and the authorizer's context keys) in <c>x-amzn-request-context</c>,
/// where the Lambda Web Adapter puts it (https://github.com/awslabs/aws-lambda-web-adapter, "Request context"). The answer
/// streams back as it comes. Counts the attempts it saw.
/// </summary>
public sealed class GatewayStandIn : IAsyncDisposable
{
    public const string ApiId = "abcdef1234";
    public const string Stage = "prod";
    private readonly WebApplication _app;
    private readonly HttpClient _authorizer;
    private readonly HttpClient _api;
    private int _attempts;

    public Uri Url { get; }

    /// <summary>Requests the gateway received (each client attempt is one).</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    private GatewayStandIn(WebApplication app, Uri url, Uri authorizer, Uri api)
    {
        (_app, Url) = (app, url);
        _authorizer = new HttpClient { BaseAddress = authorizer, Timeout = TimeSpan.FromSeconds(30) };
        _api = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(120) };
    }

    public static async Task<GatewayStandIn> StartAsync(Uri authorizer, Uri api)
    {
        var (app, url) = TestServers.Create();
        var gateway = new GatewayStandIn(app, url, authorizer, api);
        app.Run(gateway.HandleAsync);
        await app.StartAsync();
        return gateway;
    }

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref _attempts);
        var requestId = Guid.NewGuid().ToString();
        var path = http.Request.Path.Value!;
        var headers = new JsonObject();
        var multiValueHeaders = new JsonObject();
        foreach (var (name, values) in http.Request.Headers)
        {
            headers[name] = values.ToString();
            multiValueHeaders[name] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }
        var methodArn = $"arn:aws:execute-api:us-east-1:123456789012:{ApiId}/{Stage}/{http.Request.Method}{path}";
        var identity = new JsonObject { ["sourceIp"] = "203.0.113.7", ["userAgent"] = http.Request.Headers.UserAgent.ToString() };
        var authorizerEvent = new JsonObject
        {
            ["type"] = "REQUEST",
            ["methodArn"] = methodArn,
            ["resource"] = path,
            ["path"] = path,
            ["httpMethod"] = http.Request.Method,
            ["headers"] = headers,
            ["multiValueHeaders"] = multiValueHeaders,
            ["queryStringParameters"] = new JsonObject(),
            ["pathParameters"] = new JsonObject(),
            ["stageVariables"] = new JsonObject(),
            ["requestContext"] = new JsonObject
            {
                ["path"] = $"/{Stage}{path}", ["accountId"] = "123456789012", ["resourceId"] = "r1", ["stage"] = Stage, ["requestId"] = requestId,
                ["identity"] = identity.DeepClone(), ["resourcePath"] = path, ["httpMethod"] = http.Request.Method, ["apiId"] = ApiId,
            },
        };
        using var decision = await _authorizer.PostAsync("/events", new StringContent(authorizerEvent.ToJsonString(), Encoding.UTF8, "application/json"));
        var answer = JsonNode.Parse(await decision.Content.ReadAsStringAsync())!;
        if (!decision.IsSuccessStatusCode || answer["policyDocument"]?["Statement"]?[0]?["Effect"]?.GetValue<string>() != "Allow")
        {
            http.Response.StatusCode = 401;
            http.Response.ContentType = "application/problem+json";
            await http.Response.WriteAsync(new JsonObject
            {
                ["type"] = "https://awsmodelplatform.dev/problems/unauthorized", ["title"] = "Unauthorized", ["status"] = 401,
                ["detail"] = answer["context"]?["detail"]?.GetValue<string>(),
            }.ToJsonString());
            return;
        }

        var authorizerContext = new JsonObject { ["principalId"] = answer["principalId"]!.GetValue<string>(), ["integrationLatency"] = 3 };
        foreach (var (key, value) in answer["context"]!.AsObject()) authorizerContext[key] = value?.DeepClone();
        var requestContext = new JsonObject
        {
            ["resourcePath"] = path, ["httpMethod"] = http.Request.Method, ["path"] = $"/{Stage}{path}", ["accountId"] = "123456789012",
            ["stage"] = Stage, ["requestId"] = requestId, ["apiId"] = ApiId, ["identity"] = identity, ["authorizer"] = authorizerContext,
        };
        using var forward = new HttpRequestMessage(new HttpMethod(http.Request.Method), path + http.Request.QueryString);
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            forward.Content = new ByteArrayContent(body.ToArray());
            if (http.Request.ContentType is { } type) forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        foreach (var (name, values) in http.Request.Headers)
            if (name is not ("Host" or "Content-Type" or "Content-Length" or "Transfer-Encoding" or "x-amzn-request-context"))
                forward.Headers.TryAddWithoutValidation(name, values.ToArray());
        forward.Headers.Add("x-amzn-request-context", requestContext.ToJsonString());
        using var response = await _api.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            if (name is not ("Transfer-Encoding" or "Content-Length")) http.Response.Headers[name] = values.ToArray();
        await using var stream = await response.Content.ReadAsStreamAsync(http.RequestAborted);
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _authorizer.Dispose();
        _api.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
