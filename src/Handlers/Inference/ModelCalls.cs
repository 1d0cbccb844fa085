using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>
/// Calls a model through its resilience pipeline and, when it cannot serve, its fallbacks in order; wakes a model that
/// answered no-capacity (<see cref="ModelWaker"/>); and lets a streamed request wait for the copy with SSE keep-alives.
/// </summary>
internal sealed class ModelCalls(ModelCatalog catalog, InvocationResilience resilience, ModelWaker waker, IOptions<InferenceSettings> options)
{
    /// <summary>The response header naming the model that served the request (a fallback, or the one asked for).</summary>
    public const string ServedByHeader = "x-served-by";

    private readonly WakeSettings _wake = options.Value.Wake;

    /// <summary>
    /// The model's answer, or its first fallback's that serves <paramref name="invocation"/> when the model has no
    /// capacity, its circuit is open or it answers 5xx. A 4xx caused by the request is never sent elsewhere. When none
    /// serves, the model's own failure: no capacity as a 503 <c>model-no-capacity</c> with the observed <c>Retry-After</c>.
    /// </summary>
    public async Task<(T Result, ModelEntryConfig ServedBy)> CallAsync<T>(HttpContext http, ModelEntryConfig model, string invocation, TimeSpan deadline,
        Func<ModelEntryConfig, CancellationToken, Task<T>> call)
    {
        var end = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        ExceptionDispatchInfo? first = null;
        foreach (var candidate in catalog.WithFallbacks(model))
        {
            if (!ReferenceEquals(candidate, model) && !candidate.Invocations.Contains(invocation)) continue;
            var left = TimeSpan.FromSeconds(Math.Max(0.001, (end - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
            try
            {
                var result = await resilience.ExecuteAsync(candidate.EndpointName, left, ct => call(candidate, ct), http.RequestAborted);
                Served(http, model, candidate);
                return (result, candidate);
            }
            catch (Exception e) when (IsCapacityFailure(e))
            {
                if (e is SageMakerException { IsNoCapacity: true } && await waker.OnNoCapacityAsync(candidate, http.RequestAborted)) http.Ctx().Woke = true;
                first ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        if (first!.SourceException is SageMakerException { IsNoCapacity: true } noCapacity)
        {
            var (problem, retryAfter) = Problems.NoCapacity(noCapacity, model.Name, waker.RetryAfter(model));
            throw new ApiProblemException(problem, retryAfter);
        }
        first.Throw();
        throw new UnreachableException();
    }

    /// <summary>
    /// <see cref="CallAsync"/> for a streamed request whose client reads SSE: when no model has capacity, the response
    /// starts (200, <c>text/event-stream</c>), a comment keep-alive (<c>: waiting for model (38 s)</c>) goes out every
    /// <see cref="WakeSettings.KeepAliveSeconds"/>, the call is tried again every <see cref="WakeSettings.PollSeconds"/>,
    /// and after <see cref="WakeSettings.MostWaitSeconds"/> the stream ends with a <c>model-no-capacity</c> error event.
    /// Null when the stream ended that way (or with another error event while waiting).
    /// </summary>
    public async Task<(T Result, ModelEntryConfig ServedBy)?> CallOrWaitAsync<T>(HttpContext http, ModelEntryConfig model, TimeSpan deadline,
        Func<ModelEntryConfig, CancellationToken, Task<T>> call, bool openAi)
    {
        ApiProblemException noCapacity;
        try
        {
            return await CallAsync(http, model, ModelInvocations.Stream, deadline, call);
        }
        catch (ApiProblemException e) when (IsNoCapacity(e) && _wake.MostWaitSeconds > 0)
        {
            noCapacity = e;
        }

        await StreamWriting.StartAsync(http, "text/event-stream");
        var started = Stopwatch.GetTimestamp();
        var keepAlive = TimeSpan.FromSeconds(Math.Max(0.05, _wake.KeepAliveSeconds));
        var poll = TimeSpan.FromSeconds(Math.Max(0.05, _wake.PollSeconds));
        var mostWait = TimeSpan.FromSeconds(_wake.MostWaitSeconds);
        var nextKeepAlive = keepAlive;
        var nextPoll = poll;
        await KeepAliveAsync(http, TimeSpan.Zero);
        while (true)
        {
            var waited = Stopwatch.GetElapsedTime(started);
            if (waited >= mostWait) break;
            var next = Min(Min(nextKeepAlive, nextPoll), mostWait);
            if (next > waited) await Task.Delay(next - waited, http.RequestAborted);
            waited = Stopwatch.GetElapsedTime(started);
            if (waited >= nextKeepAlive)
            {
                await KeepAliveAsync(http, waited);
                nextKeepAlive = waited + keepAlive;
            }
            if (waited < nextPoll || waited >= mostWait) continue;
            nextPoll = waited + poll;
            try
            {
                return await CallAsync(http, model, ModelInvocations.Stream, deadline, call);
            }
            catch (ApiProblemException e) when (IsNoCapacity(e))
            {
                noCapacity = e;
            }
            catch (Exception e) when (e is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
            {
                await EndWithErrorAsync(http, RequestPipelineMiddleware.Map(e, http.Ctx()).Item1, openAi);
                return null;
            }
        }
        var seconds = ((int)mostWait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await EndWithErrorAsync(http, noCapacity.Problem with
        {
            Detail = $"Model '{model.Name}' got no capacity within {seconds} s (Inference:Wake:MostWaitSeconds); its wake goes on: send the request again later. {noCapacity.Problem.Detail}",
        }, openAi);
        return null;
    }

    /// <summary>The 503 <c>model-no-capacity</c> problem <see cref="CallAsync"/> answers when no model has a copy.</summary>
    public static bool IsNoCapacity(ApiProblemException e) => e.Problem.Type.EndsWith("/model-no-capacity", StringComparison.Ordinal);

    /// <summary>What a fallback may answer instead: no capacity, an open circuit, a 5xx. Never a 4xx caused by the request.</summary>
    private static bool IsCapacityFailure(Exception e) => e switch
    {
        SageMakerException s => s.IsNoCapacity || s.StatusCode >= 500,
        BrokenCircuitException => true,
        _ => false,
    };

    private void Served(HttpContext http, ModelEntryConfig asked, ModelEntryConfig served)
    {
        var ctx = http.Ctx();
        ctx.ColdStart = waker.OnSuccess(served) ?? ctx.ColdStart;
        if (!ReferenceEquals(asked, served)) ctx.ServedByFallback = served.Name;
        if (!http.Response.HasStarted) http.Response.Headers[ServedByHeader] = served.Name;
    }

    private static async Task KeepAliveAsync(HttpContext http, TimeSpan waited)
    {
        var line = $": waiting for model ({((int)waited.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s)\n\n";
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    /// <summary>Ends a waiting stream in-band: an OpenAI error chunk (what the OpenAI clients raise), or an SSE <c>event: error</c>.</summary>
    private static async Task EndWithErrorAsync(HttpContext http, Problem problem, bool openAi)
    {
        var ctx = http.Ctx();
        ctx.FailedAfterStart = true;
        problem = problem with { Instance = problem.Instance ?? http.Request.Path.Value, RequestId = ctx.RequestId };
        var slug = problem.Type[(problem.Type.LastIndexOf('/') + 1)..];
        var text = openAi
            ? $"data: {JsonSerializer.Serialize(new OpenAiErrorEnvelope(new OpenAiError($"{problem.Title}: {problem.Detail} (request {problem.RequestId})", "server_error", slug)), HandlerJsonContext.Default.OpenAiErrorEnvelope)}\n\n"
            : $"event: error\ndata: {JsonSerializer.Serialize(problem, HandlerJsonContext.Default.Problem)}\n\n";
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
