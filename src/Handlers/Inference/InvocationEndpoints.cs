using AwsModelPlatform.Handlers.Access;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary><see cref="Routes.Invoke"/> and <see cref="Routes.InvokeStream"/>: SageMaker's real-time API, passed through.</summary>
public static class InvocationEndpoints
{
    internal static void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        if (routes.Contains(Routes.Invoke))
            app.MapPost(Routes.Invoke.Path, InvokeAsync)
                .Named(Routes.Invoke)
                .WithTags("Invocations")
                .WithSummary("SageMaker InvokeEndpoint: the body and content type are passed through both ways.")
                .AcceptsBody("application/json", "application/octet-stream", "text/csv")
                .Produces(200)
                .ProducesProblems(400, 404, 413, 415, 424, 429, 502, 503, 504);

        if (routes.Contains(Routes.InvokeStream))
            app.MapPost(Routes.InvokeStream.Path, InvokeStreamAsync)
                .Named(Routes.InvokeStream)
                .WithTags("Invocations")
                .WithSummary("SageMaker InvokeEndpointWithResponseStream: every PayloadPart is forwarded as it arrives, in the model's content type.")
                .AcceptsBody("application/json", "application/octet-stream")
                .Produces(200, contentType: "text/event-stream")
                .ProducesProblems(400, 404, 413, 415, 424, 429, 502, 503, 504);
    }

    private static async Task InvokeAsync(string model, HttpContext http, ModelCatalog catalog, SageMakerRuntimeClient client, ModelCalls calls,
        IOptions<InferenceSettings> options, ModelAccess access)
    {
        var m = catalog.Resolve(model, http);
        m.EnsureServes(ModelInvocations.Sync);
        var request = await ReadRequestAsync(http, m);
        // A raw body has no token fields the handler could read: the request counts, its tokens do not.
        await using var grant = await access.AdmitAsync(http, m.Name, 0, m.HourlyUsd);
        var (result, _) = await calls.CallAsync(http, m, ModelInvocations.Sync, TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
            (c, ct) => client.InvokeEndpointAsync(For(request, m, c), ct));
        http.Ctx().UpstreamRequestId = result.RequestId;
        InvocationHeaders.CopyResponse(http.Response, result.InvokedVariant, result.CustomAttributes, result.RequestId);
        http.Response.StatusCode = 200;
        http.Response.ContentType = result.ContentType;
        http.Response.ContentLength = result.Body.Length;
        await http.Response.Body.WriteAsync(result.Body, http.RequestAborted);
        grant.Complete(null);
    }

    private static async Task InvokeStreamAsync(string model, HttpContext http, ModelCatalog catalog, SageMakerRuntimeClient client, ModelCalls calls,
        IOptions<InferenceSettings> options, ModelAccess access)
    {
        var m = catalog.Resolve(model, http);
        m.EnsureServes(ModelInvocations.Stream);
        var request = await ReadRequestAsync(http, m);
        await using var grant = await access.AdmitAsync(http, m.Name, 0, m.HourlyUsd);
        // Retries and the deadline cover the call up to the response headers; once bytes flow nothing is retried.
        var deadline = TimeSpan.FromSeconds(options.Value.StreamFirstByteTimeoutSeconds);
        Task<ResponseStream> Call(ModelEntryConfig c, CancellationToken ct) => client.InvokeEndpointWithResponseStreamAsync(For(request, m, c), ct);
        // A client that reads SSE can be kept waiting for a cold model with comment keep-alives; any other gets the 503 at once.
        var served = AcceptsEventStream(http.Request)
            ? await calls.CallOrWaitAsync(http, m, deadline, Call, openAi: false)
            : await calls.CallAsync(http, m, ModelInvocations.Stream, deadline, Call);
        if (served is not { Result: var stream }) return;
        using var _ = stream;
        http.Ctx().UpstreamRequestId = stream.RequestId;
        if (!http.Response.HasStarted)
        {
            InvocationHeaders.CopyResponse(http.Response, stream.InvokedVariant, null, stream.RequestId);
            await StreamWriting.StartAsync(http, stream.ContentType);
        }
        try
        {
            await foreach (var e in stream.ReadEventsAsync(TimeSpan.FromSeconds(options.Value.StreamIdleTimeoutSeconds), http.RequestAborted))
            {
                if (e is PayloadPart { Bytes.Length: > 0 } part)
                {
                    await http.Response.Body.WriteAsync(part.Bytes, http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
            grant.Complete(null);
        }
        catch (SageMakerStreamException e)
        {
            await StreamWriting.EndWithErrorAsync(http, stream.ContentType, e);
        }
    }

    /// <summary>The request for <paramref name="candidate"/>: the model's own, or a fallback's endpoint and component.</summary>
    internal static InvokeRequest For(InvokeRequest request, ModelEntryConfig model, ModelEntryConfig candidate) =>
        ReferenceEquals(model, candidate) ? request : request with { EndpointName = candidate.EndpointName, InferenceComponentName = candidate.InferenceComponentName };

    private static bool AcceptsEventStream(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);

    internal static async Task<InvokeRequest> ReadRequestAsync(HttpContext http, ModelEntryConfig m)
    {
        var media = RequestBody.RequireContentType(http.Request);
        var body = await RequestBody.ReadAsync(http.Request, m.MaxPayloadBytes, http.RequestAborted);
        if (RequestBody.IsJson(media)) RequestBody.EnsureWellFormedJson(body);
        return InvocationHeaders.Build(http.Request, m, body, http.Request.ContentType!);
    }
}
