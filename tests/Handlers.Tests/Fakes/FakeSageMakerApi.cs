using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>One control-plane call the front received: the operation, its content type and its JSON body.</summary>
public sealed record ReceivedApiCall(string Target, string ContentType, JsonObject Body);

/// <summary>
/// A fake SageMaker control plane: the JSON 1.1 protocol (<c>POST /</c>, <c>X-Amz-Target: SageMaker.{Operation}</c>,
/// <c>application/x-amz-json-1.1</c>, errors as <c>{"__type": ..., "message": ...}</c>), every request's SigV4 signature
/// verified (signing name <c>sagemaker</c>). It serves the operations that wake a model scaled to zero and watch it:
/// <c>UpdateInferenceComponentRuntimeConfig</c>, <c>DescribeInferenceComponent</c>, <c>UpdateEndpointWeightsAndCapacities</c>
/// and <c>DescribeEndpoint</c>, on the capacity it shares with the runtime front. Shapes from botocore's SageMaker model.
/// </summary>
public sealed class FakeSageMakerApi : IAsyncDisposable
{
    private const string JsonContentType = "application/x-amz-json-1.1";
    private readonly WebApplication _app;
    private readonly FakeCapacity _capacity;
    private readonly SigV4Verifier _verifier = new(FakeSageMakerRuntime.Region, "sagemaker",
        new Dictionary<string, string> { [FakeSageMakerRuntime.AccessKey] = FakeSageMakerRuntime.SecretKey });

    public ConcurrentQueue<ReceivedApiCall> Calls { get; } = new();
    public Uri Url { get; }

    private FakeSageMakerApi(WebApplication app, Uri url, FakeCapacity capacity) => (_app, Url, _capacity) = (app, url, capacity);

    public static async Task<FakeSageMakerApi> StartAsync(FakeCapacity capacity)
    {
        var (app, url) = TestServers.Create();
        var front = new FakeSageMakerApi(app, url, capacity);
        app.MapPost("/", front.HandleAsync);
        await app.StartAsync();
        return front;
    }

    private async Task HandleAsync(HttpContext http)
    {
        http.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy);
        var body = copy.ToArray();
        var (ok, errorType, message) = _verifier.Verify(http.Request, body, DateTimeOffset.UtcNow);
        if (!ok)
        {
            await Error(http, 403, errorType, message);
            return;
        }
        var target = http.Request.Headers["X-Amz-Target"].ToString();
        var contentType = http.Request.ContentType ?? "";
        if (!contentType.StartsWith(JsonContentType, StringComparison.OrdinalIgnoreCase))
        {
            await Error(http, 400, "SerializationException", $"Expected Content-Type {JsonContentType}, got '{contentType}'.");
            return;
        }
        JsonObject input;
        try
        {
            input = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            await Error(http, 400, "SerializationException", e.Message);
            return;
        }
        Calls.Enqueue(new ReceivedApiCall(target, contentType, input));
        var now = DateTimeOffset.UtcNow;
        switch (target)
        {
            case "SageMaker.UpdateInferenceComponentRuntimeConfig":
            {
                if (Component(input) is not { } component) { await NotFound(http, "inference component", input["InferenceComponentName"]); return; }
                if (input["DesiredRuntimeConfig"]?["CopyCount"] is not JsonValue countValue || !countValue.TryGetValue<int>(out var count) || count < 0)
                {
                    await Error(http, 400, "ValidationException", "1 validation error detected: Value at 'desiredRuntimeConfig.copyCount' failed to satisfy constraint: Member must not be null and must be at least 0");
                    return;
                }
                component.SetDesired(count, now);
                await Json(http, new JsonObject { ["InferenceComponentArn"] = FakeCapacity.Arn("inference-component", component.Name) });
                return;
            }
            case "SageMaker.DescribeInferenceComponent":
            {
                if (Component(input) is not { } component) { await NotFound(http, "inference component", input["InferenceComponentName"]); return; }
                var (status, current, desired, modified) = component.State(now);
                await Json(http, new JsonObject
                {
                    ["InferenceComponentName"] = component.Name,
                    ["InferenceComponentArn"] = FakeCapacity.Arn("inference-component", component.Name),
                    ["EndpointName"] = component.EndpointName,
                    ["EndpointArn"] = FakeCapacity.Arn("endpoint", component.EndpointName),
                    ["VariantName"] = "AllTraffic",
                    ["InferenceComponentStatus"] = status,
                    ["RuntimeConfig"] = new JsonObject { ["DesiredCopyCount"] = desired, ["CurrentCopyCount"] = current },
                    // JSON 1.1 timestamps are epoch seconds.
                    ["CreationTime"] = component.CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
                    ["LastModifiedTime"] = modified.ToUnixTimeMilliseconds() / 1000.0,
                });
                return;
            }
            case "SageMaker.UpdateEndpointWeightsAndCapacities":
            {
                if (Endpoint(input) is not { } variant) { await NotFound(http, "endpoint", input["EndpointName"]); return; }
                var wanted = input["DesiredWeightsAndCapacities"] as JsonArray;
                var entry = wanted?.OfType<JsonObject>().FirstOrDefault(w => w["VariantName"]?.GetValue<string>() == variant.VariantName);
                if (entry?["DesiredInstanceCount"] is not JsonValue countValue || !countValue.TryGetValue<int>(out var count) || count < 0)
                {
                    await Error(http, 400, "ValidationException", $"Variant {variant.VariantName} is not in DesiredWeightsAndCapacities, or has no DesiredInstanceCount of at least 0.");
                    return;
                }
                variant.SetDesired(count, now);
                await Json(http, new JsonObject { ["EndpointArn"] = FakeCapacity.Arn("endpoint", variant.EndpointName) });
                return;
            }
            case "SageMaker.DescribeEndpoint":
            {
                if (Endpoint(input) is not { } variant) { await NotFound(http, "endpoint", input["EndpointName"]); return; }
                var (status, current, desired) = variant.State(now);
                await Json(http, new JsonObject
                {
                    ["EndpointName"] = variant.EndpointName,
                    ["EndpointArn"] = FakeCapacity.Arn("endpoint", variant.EndpointName),
                    ["EndpointConfigName"] = variant.EndpointName + "-config",
                    ["EndpointStatus"] = status,
                    ["CreationTime"] = now.ToUnixTimeSeconds(),
                    ["LastModifiedTime"] = now.ToUnixTimeSeconds(),
                    ["ProductionVariants"] = new JsonArray(new JsonObject
                    {
                        ["VariantName"] = variant.VariantName,
                        ["CurrentWeight"] = 1.0,
                        ["DesiredWeight"] = 1.0,
                        ["CurrentInstanceCount"] = current,
                        ["DesiredInstanceCount"] = desired,
                        ["InstancePools"] = new JsonArray(variant.InstanceTypes.Select((t, i) => (JsonNode)new JsonObject
                        {
                            ["InstanceType"] = t,
                            ["CurrentInstanceCount"] = i == 0 ? current : 0,
                        }).ToArray()),
                    }),
                });
                return;
            }
            default:
                await Error(http, 400, "UnknownOperationException", $"Unknown operation {target}.");
                return;
        }
    }

    private FakeInferenceComponent? Component(JsonObject input) =>
        input["InferenceComponentName"] is JsonValue v && v.TryGetValue<string>(out var name) && _capacity.Components.TryGetValue(name, out var c) ? c : null;

    private FakeEndpointVariant? Endpoint(JsonObject input) =>
        input["EndpointName"] is JsonValue v && v.TryGetValue<string>(out var name) && _capacity.Endpoints.TryGetValue(name, out var e) ? e : null;

    // The Describe operations answer a missing resource with ValidationException "Could not find <kind> "<arn>"." (as botocore
    // users see it: "An error occurred (ValidationException) when calling the DescribeEndpoint operation: Could not find endpoint ...").
    private static Task NotFound(HttpContext http, string kind, JsonNode? name) =>
        Error(http, 400, "ValidationException", $"Could not find {kind} \"{FakeCapacity.Arn(kind.Replace(' ', '-'), name?.ToString() ?? "")}\".");

    private static async Task Json(HttpContext http, JsonObject o)
    {
        http.Response.ContentType = JsonContentType;
        await http.Response.WriteAsync(o.ToJsonString());
    }

    private static async Task Error(HttpContext http, int status, string errorType, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = JsonContentType;
        await http.Response.WriteAsync(new JsonObject { ["__type"] = errorType, ["message"] = message }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
