using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AwsModelPlatform.Handlers.Access;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

public sealed record ModelList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<ModelListEntry> Data);

public sealed record ModelListEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

public sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("code")] string? Code);

public sealed record OpenAiErrorEnvelope([property: JsonPropertyName("error")] OpenAiError Error);

/// <summary>
/// OpenAI-compatible routes. The body's <c>model</c> selects the configured model; models whose protocol is
/// <c>openai</c> get the payload as it is on <c>/invocations</c> (or the response stream when <c>stream</c> is true),
/// and the stream goes back as SSE, lines re-assembled across PayloadPart boundaries, ending with <c>data: [DONE]</c>.
/// </summary>
public static class OpenAiEndpoints
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    internal static void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        if (routes.Contains(Routes.ListModels))
            app.MapGet(Routes.ListModels.Path, (ModelCatalog catalog) => TypedResults.Json(
                    new ModelList("list", catalog.All.Select(m => new ModelListEntry(m.Name, "model", 0, "sagemaker")).ToList()),
                    HandlerJsonContext.Default.ModelList))
                .Named(Routes.ListModels).WithTags("OpenAI").WithSummary("OpenAI: the configured models.");

        foreach (var (route, required) in new[] { (Routes.ChatCompletions, "messages"), (Routes.Completions, "prompt"), (Routes.Embeddings, "input") })
        {
            if (!routes.Contains(route)) continue;
            app.MapPost(route.Path, (HttpContext http, ModelCatalog catalog, SageMakerRuntimeClient client, ModelCalls calls, IOptions<InferenceSettings> options,
                    ModelAccess access) => HandleAsync(http, required, catalog, client, calls, options.Value, access))
                .Named(route).WithTags("OpenAI")
                .WithSummary($"OpenAI-compatible {route.Path}; stream: true answers with SSE.")
                .AcceptsBody("application/json")
                .Produces(200, contentType: "application/json")
                .Produces(200, contentType: "text/event-stream")
                .ProducesProblems(400, 403, 404, 413, 415, 424, 429, 502, 503, 504);
        }
    }

    private static async Task HandleAsync(HttpContext http, string requiredField, ModelCatalog catalog, SageMakerRuntimeClient client, ModelCalls calls,
        InferenceSettings options, ModelAccess access)
    {
        var media = RequestBody.RequireContentType(http.Request);
        if (!RequestBody.IsJson(media)) throw Problems.UnsupportedMediaType("OpenAI routes take application/json.");
        var body = await RequestBody.ReadAsync(http.Request, InferenceSettings.SageMakerMaxPayloadBytes, http.RequestAborted);
        var (modelName, stream) = ParseEnvelope(body, requiredField);
        var m = catalog.Resolve(modelName, http);
        if (body.Length > m.MaxPayloadBytes) throw Problems.PayloadTooLarge(m.MaxPayloadBytes);
        if (m.Protocol != ModelProtocols.OpenAi)
            throw Problems.BadRequest($"Model '{m.Name}' uses the raw protocol; call {m.Call(Routes.Invoke)} instead.");
        m.EnsureServes(stream ? ModelInvocations.Stream : ModelInvocations.Sync);
        var (maxTokens, askedForUsage) = TokenFields(body);
        var reserve = PromptEstimate(body.Length) + maxTokens;
        // Usage is what a stream is settled to: the container is asked for it, and its chunk kept from a client that did not ask.
        var stripUsage = stream && !askedForUsage;
        if (stripUsage) body = WithUsageRequested(body);
        await using var grant = await access.AdmitAsync(http, m.Name, reserve, m.HourlyUsd);

        var request = InvocationHeaders.Build(http.Request, m, body, "application/json") with { Accept = stream ? "text/event-stream" : "application/json" };
        // A fallback gets the request under its own name: the container answers with it in "model", so the client sees who served.
        InvokeRequest For(ModelEntryConfig c) => ReferenceEquals(c, m) ? request
            : InvocationEndpoints.For(request, m, c) with { Body = WithModel(body, c.Name) };
        if (!stream)
        {
            // Non-streamed requests cannot be held open with keep-alives (the status is sent first): a cold model is a
            // 503 with the observed Retry-After, as on the buffered routes; "stream": true waits for it instead.
            var (result, _) = await calls.CallAsync(http, m, ModelInvocations.Sync, TimeSpan.FromSeconds(options.TimeoutSeconds), (c, ct) => client.InvokeEndpointAsync(For(c), ct));
            http.Ctx().UpstreamRequestId = result.RequestId;
            http.Ctx().Usage = UsageOf(result.Body);
            InvocationHeaders.CopyResponse(http.Response, result.InvokedVariant, null, result.RequestId);
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = result.Body.Length;
            await http.Response.Body.WriteAsync(result.Body, http.RequestAborted);
            grant.Complete(http.Ctx().Usage);
            return;
        }

        var served = await calls.CallOrWaitAsync(http, m, TimeSpan.FromSeconds(options.StreamFirstByteTimeoutSeconds),
            (c, ct) => client.InvokeEndpointWithResponseStreamAsync(For(c), ct), openAi: true);
        if (served is not { Result: var upstream }) return;
        using var _ = upstream;
        http.Ctx().UpstreamRequestId = upstream.RequestId;
        if (!http.Response.HasStarted)
        {
            InvocationHeaders.CopyResponse(http.Response, upstream.InvokedVariant, null, upstream.RequestId);
            await StreamWriting.StartAsync(http, "text/event-stream");
        }
        var sse = new SseReassembler(stripUsage);
        try
        {
            await foreach (var e in upstream.ReadEventsAsync(TimeSpan.FromSeconds(options.StreamIdleTimeoutSeconds), http.RequestAborted))
            {
                if (e is not PayloadPart { Bytes.Length: > 0 } part) continue;
                var output = sse.Push(part.Bytes.Span);
                if (output.Length > 0)
                {
                    await http.Response.Body.WriteAsync(output, http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
            var tail = sse.Complete();
            if (tail.Length > 0) await http.Response.Body.WriteAsync(tail, http.RequestAborted);
            if (!sse.SawDone) await http.Response.Body.WriteAsync(Done, http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            grant.Complete(sse.Usage);
        }
        catch (SageMakerStreamException e)
        {
            // In-band, in the shape the OpenAI clients raise as an APIError; no [DONE] follows.
            http.Ctx().FailedAfterStart = true;
            var problem = StreamWriting.StreamProblem(http, e);
            var json = JsonSerializer.Serialize(new OpenAiErrorEnvelope(new OpenAiError($"{problem.Title} ({e.ErrorType}): {problem.Detail} (request {problem.RequestId})", "server_error", e.ErrorType)), HandlerJsonContext.Default.OpenAiErrorEnvelope);
            await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {json}\n\n"), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
        finally
        {
            http.Ctx().Usage = sse.Usage;
        }
    }

    /// <summary>The body with its <c>model</c> replaced (the envelope was validated: a JSON object).</summary>
    internal static byte[] WithModel(byte[] body, string model)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        node["model"] = model;
        var output = new ArrayBufferWriter<byte>(body.Length + model.Length);
        using (var w = new Utf8JsonWriter(output)) node.WriteTo(w);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The prompt's token estimate a request reserves: its body's UTF-8 bytes ÷ 4 (about four bytes a token for English text,
    /// so with the JSON around the prompt an over-estimate); settled to the model's count after the call.
    /// </summary>
    internal static long PromptEstimate(long bodyBytes) => (bodyBytes + 3) / 4;

    /// <summary>
    /// The completion tokens a request may use (<c>max_completion_tokens</c>, else <c>max_tokens</c>; 0 when it names none or
    /// not a non-negative integer) and whether it asked for a stream's usage (<c>stream_options.include_usage</c>). The
    /// envelope was validated: a JSON object.
    /// </summary>
    internal static (long MaxTokens, bool AskedForUsage) TokenFields(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        long max = 0;
        foreach (var name in new[] { "max_completion_tokens", "max_tokens" })
            if (root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0)
            {
                max = n;
                break;
            }
        var asked = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
        return (max, asked);
    }

    /// <summary>The body with <c>stream_options.include_usage</c> set (its other stream options kept).</summary>
    internal static byte[] WithUsageRequested(byte[] body)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        if (node["stream_options"] is not System.Text.Json.Nodes.JsonObject options)
            node["stream_options"] = options = new System.Text.Json.Nodes.JsonObject();
        options["include_usage"] = true;
        var output = new ArrayBufferWriter<byte>(body.Length + 48);
        using (var w = new Utf8JsonWriter(output)) node.WriteTo(w);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads <c>model</c> and <c>stream</c>; 400 for malformed JSON or fields of the wrong type.</summary>
    internal static (string Model, bool Stream) ParseEnvelope(byte[] body, string requiredField)
    {
        JsonDocument doc;
        try
        {
            // Duplicate keys are refused: API Gateway's validator, this handler and the container could each read another "model".
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw Problems.MalformedJson($"The body is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Problems.BadRequest("The body must be a JSON object.");
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || JsonText.Of(model) is not { Length: > 0 } name)
                throw Problems.BadRequest("'model' must be a non-empty string.");
            var stream = false;
            if (root.TryGetProperty("stream", out var s))
            {
                if (s.ValueKind is JsonValueKind.True or JsonValueKind.False) stream = s.GetBoolean();
                else if (s.ValueKind != JsonValueKind.Null) throw Problems.BadRequest("'stream' must be a boolean.");
            }
            if (!root.TryGetProperty(requiredField, out var req) || req.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                throw Problems.BadRequest($"'{requiredField}' is required.");
            if (requiredField == "messages" && req.ValueKind != JsonValueKind.Array) throw Problems.BadRequest("'messages' must be an array.");
            if (requiredField == "messages")
                foreach (var message in req.EnumerateArray())
                    if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                        throw Problems.BadRequest("Each message must be an object with a string 'role'.");
            if (requiredField is "prompt" or "input" && req.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
                throw Problems.BadRequest($"'{requiredField}' must be a string or an array.");
            if (requiredField == "input" && stream) throw Problems.BadRequest("Embeddings cannot be streamed.");
            return (name, stream);
        }
    }

    /// <summary>The <c>usage</c> object of an OpenAI response or chunk, if it has one.</summary>
    internal static TokenUsage? UsageOf(ReadOnlySpan<byte> json) => UsageChunk(json).Usage;

    /// <summary>
    /// The <c>usage</c> object of an OpenAI response or chunk, if it has one, and whether the chunk is the usage chunk a stream
    /// ends with when asked for it (<c>choices</c> empty: https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options).
    /// </summary>
    internal static (TokenUsage? Usage, bool UsageOnly) UsageChunk(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("usage", out var u) || u.ValueKind != JsonValueKind.Object) return default;
            var usageOnly = doc.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0;
            long Get(string n) => u.TryGetProperty(n, out var v) && v.TryGetInt64(out var x) ? x : 0;
            var prompt = Get("prompt_tokens");
            var completion = Get("completion_tokens");
            var total = Get("total_tokens");
            return (new TokenUsage(prompt, completion, total > 0 ? total : prompt + completion), usageOnly);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}

/// <summary>
/// Re-assembles SSE lines split across PayloadPart boundaries. Complete lines go out as they are; a bare JSON line
/// (containers that stream JSON Lines) is wrapped as <c>data: ...</c>. Usage objects and <c>[DONE]</c> are noticed; with
/// <paramref name="stripUsage"/> the usage chunk (and its blank separator) is kept from the client, which did not ask for it.
/// </summary>
public sealed class SseReassembler(bool stripUsage = false)
{
    private readonly ArrayBufferWriter<byte> _partial = new();
    private bool _skipSeparator;
    public TokenUsage? Usage { get; private set; }
    public bool SawDone { get; private set; }

    public byte[] Push(ReadOnlySpan<byte> bytes)
    {
        var output = new ArrayBufferWriter<byte>();
        while (!bytes.IsEmpty)
        {
            var nl = bytes.IndexOf((byte)'\n');
            if (nl < 0)
            {
                _partial.Write(bytes);
                break;
            }
            ReadOnlySpan<byte> line;
            byte[]? joined = null;
            if (_partial.WrittenCount > 0)
            {
                _partial.Write(bytes[..nl]);
                joined = _partial.WrittenSpan.ToArray();
                _partial.Clear();
                line = joined;
            }
            else
            {
                line = bytes[..nl];
            }
            Emit(line, output);
            bytes = bytes[(nl + 1)..];
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Flushes a last line the container did not terminate.</summary>
    public byte[] Complete()
    {
        if (_partial.WrittenCount == 0) return [];
        var output = new ArrayBufferWriter<byte>();
        var line = _partial.WrittenSpan.ToArray();
        _partial.Clear();
        Emit(line, output);
        output.Write("\n"u8);
        return output.WrittenSpan.ToArray();
    }

    private void Emit(ReadOnlySpan<byte> line, ArrayBufferWriter<byte> output)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
        var trimmed = line.TrimStart((byte)' ');
        if (_skipSeparator)
        {
            _skipSeparator = false;
            if (trimmed.IsEmpty) return;
        }
        if (trimmed.StartsWith("data:"u8))
        {
            var data = trimmed[5..].TrimStart((byte)' ');
            if (data.SequenceEqual("[DONE]"u8)) SawDone = true;
            else if (OpenAiEndpoints.UsageChunk(data) is ({ } usage, var usageOnly))
            {
                Usage = usage;
                if (stripUsage && usageOnly)
                {
                    _skipSeparator = true;
                    return;
                }
            }
            output.Write(line);
            output.Write("\n"u8);
        }
        else if (!trimmed.IsEmpty && (trimmed[0] == (byte)'{' || trimmed[0] == (byte)'['))
        {
            if (OpenAiEndpoints.UsageChunk(trimmed) is ({ } usage, var usageOnly))
            {
                Usage = usage;
                if (stripUsage && usageOnly) return;
            }
            output.Write("data: "u8);
            output.Write(trimmed);
            output.Write("\n\n"u8);
        }
        else
        {
            // Blank separators, comments, event:/id:/retry: fields pass through unchanged.
            output.Write(line);
            output.Write("\n"u8);
        }
    }
}
