using System.Buffers;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>Reads a request body under a byte limit, failing with 413 as soon as the limit is passed (never buffering past it).</summary>
public static class RequestBody
{
    /// <summary>The body; 400 when it is empty, unless <paramref name="allowEmpty"/> (SageMaker requires a body, the access routes do not).</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limit, CancellationToken ct, bool allowEmpty = false)
    {
        if (request.ContentLength is long declared)
        {
            if (declared > limit) throw Problems.PayloadTooLarge(limit);
            if (declared == 0 && !allowEmpty) throw Problems.BadRequest("The request body is empty; SageMaker requires a body.");
        }
        var initial = (int)Math.Min(request.ContentLength ?? 16 * 1024, limit);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) throw Problems.PayloadTooLarge(limit);
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    Buffer.BlockCopy(buffer, 0, bigger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
                if (length > limit) throw Problems.PayloadTooLarge(limit);
            }
            if (length == 0 && !allowEmpty) throw Problems.BadRequest("The request body is empty; SageMaker requires a body.");
            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The request's media type; 415 when absent or unparsable.</summary>
    public static MediaTypeHeaderValue RequireContentType(HttpRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.ContentType) || !MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.HasValue || !media.MediaType.Value!.Contains('/'))
            throw Problems.UnsupportedMediaType("A Content-Type header with a media type is required.");
        if (request.ContentType.Length > Aws.SageMakerRuntimeClient.Limits.ContentType)
            throw Problems.BadRequest(
                $"Content-Type is longer than SageMaker's limit of {Aws.SageMakerRuntimeClient.Limits.ContentType} characters.");
        return media;
    }

    public static bool IsJson(MediaTypeHeaderValue media)
    {
        var type = media.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>400 unless the bytes are one well-formed JSON document.</summary>
    public static void EnsureWellFormedJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 128 });
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            throw Problems.MalformedJson($"The body is not valid JSON: {e.Message}");
        }
    }
}
