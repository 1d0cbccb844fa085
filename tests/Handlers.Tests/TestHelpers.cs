using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AwsModelPlatform.Handlers.Tests;

public static class TestHelpers
{
    /// <summary>Adds the models to a handler's environment as the constructs write them (<c>Inference__Models__{i}__*</c>, in order).</summary>
    internal static void AddModels(IDictionary<string, string> env, params InferenceModelSettings[] models)
    {
        foreach (var (key, value) in SettingsEnvironment.Of(InferenceSettings.Section, new InferenceSettings { Models = models })) env[key] = value;
    }

    /// <summary>A model of that name on that endpoint, every other setting the handler's default.</summary>
    internal static InferenceModelSettings Model(string name, string endpoint) => new() { Name = name, EndpointName = endpoint };

    public static ByteArrayContent Body(string text, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>
    /// The access-log line of one request, by its request id, parsed; waits up to 10 s for the handler to write it.
    /// Other log lines (a client that left, a stream cut) carry the request id too, and may come first.
    /// </summary>
    public static async Task<JsonElement> AccessLogAsync(IEnumerable<string> output, string requestId)
    {
        for (var i = 0; i < 100; i++)
        {
            if (output.FirstOrDefault(l => l.Contains($"\"RequestId\":\"{requestId}\"") && l.Contains("\"Message\":\"request\"")) is { } line)
                return JsonDocument.Parse(line).RootElement.Clone();
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"no access-log line of request {requestId}");
    }

    /// <summary>Asserts an RFC 9457 problem with the status, our request id and (when asked) the upstream one.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string? typeEndsWith = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        var type = problem.GetProperty("type").GetString()!;
        if (typeEndsWith is not null) Assert.EndsWith(typeEndsWith, type);
        var requestId = problem.GetProperty("requestId").GetString();
        Assert.False(string.IsNullOrEmpty(requestId));
        Assert.Equal(requestId, response.Headers.GetValues("x-request-id").Single());
        return problem;
    }

    public static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) || r.Content.Headers.TryGetValues(name, out v) ? string.Join(",", v) : null;

    /// <summary>The API Gateway request context the Lambda Web Adapter forwards in <c>x-amzn-request-context</c>, for an IAM caller.</summary>
    public static string RequestContext(string callerArn, string? requestId = null) =>
        JsonSerializer.Serialize(new { requestId = requestId ?? Guid.NewGuid().ToString("N"), identity = new { userArn = callerArn } });

    /// <summary>A client whose requests come from <paramref name="callerArn"/>, unless a request carries its own context.</summary>
    public static HttpClient ClientAs(Uri handler, string callerArn) =>
        new(new CallerContextHandler(callerArn) { InnerHandler = new HttpClientHandler() }) { BaseAddress = handler, Timeout = TimeSpan.FromSeconds(30) };

    private sealed class CallerContextHandler(string callerArn) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (!request.Headers.Contains("x-amzn-request-context")) request.Headers.Add("x-amzn-request-context", RequestContext(callerArn));
            return base.SendAsync(request, ct);
        }
    }
}
