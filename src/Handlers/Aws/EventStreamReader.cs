using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon.Runtime.EventStreams;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>One decoded event of a SageMaker response stream.</summary>
public abstract record StreamEvent;

/// <summary>A <c>PayloadPart</c>: the next bytes the model produced.</summary>
public sealed record PayloadPart(ReadOnlyMemory<byte> Bytes) : StreamEvent;

/// <summary>
/// Reads <c>application/vnd.amazon.eventstream</c> frames from a stream as they arrive. Framing (the 4-byte total
/// length) is done here so that a cut stream is noticed; each complete frame is parsed and CRC-checked by
/// AWSSDK.Core's <see cref="EventStreamMessage"/>.
/// </summary>
public static class EventStreamReader
{
    /// <summary>The event-stream format caps a message at 16 MiB.</summary>
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private const int PreludeBytes = 12;

    public static IAsyncEnumerable<StreamEvent> ReadAsync(Stream body, CancellationToken ct) => ReadAsync(body, Timeout.InfiniteTimeSpan, ct);

    /// <summary>Reads events; a gap longer than <paramref name="idleTimeout"/> between bytes ends the stream with <c>StreamIdleTimeout</c>.</summary>
    public static async IAsyncEnumerable<StreamEvent> ReadAsync(Stream body, TimeSpan idleTimeout, [EnumeratorCancellation] CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                // Emit every complete frame already buffered.
                while (end - start >= PreludeBytes)
                {
                    var total = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start, 4)), int.MaxValue);
                    if (total < 16 || total > MaxMessageBytes)
                        throw new SageMakerStreamException("InvalidFrame", $"Event-stream frame declares an invalid length of {total} bytes.");
                    if (end - start < total)
                    {
                        if (total > buffer.Length)
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent(total);
                            Buffer.BlockCopy(buffer, start, bigger, 0, end - start);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                            end -= start;
                            start = 0;
                        }
                        break;
                    }
                    EventStreamMessage message;
                    try
                    {
                        // FromBuffer validates CRCs relative to the start of the array it is given (an offset breaks the
                        // message CRC check in AWSSDK.Core 4.1), so each frame gets an array of its own.
                        message = EventStreamMessage.FromBuffer(buffer.AsSpan(start, total).ToArray(), 0, total);
                    }
                    catch (Exception e) when (e is EventStreamChecksumFailureException or EventStreamParseException
                        or ArgumentException or IndexOutOfRangeException)
                    {
                        throw new SageMakerStreamException("InvalidFrame", "Event-stream frame failed validation: " + e.Message, inner: e);
                    }
                    start += total;
                    yield return ToEvent(message);
                }

                if (start > 0 && (buffer.Length - end) < 4096)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, start, bigger, 0, end - start);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    end -= start;
                    start = 0;
                }

                int read;
                try
                {
                    idle.CancelAfter(idleTimeout);
                    read = await body.ReadAsync(buffer.AsMemory(end), idle.Token);
                    // Only the model's silence counts: the clock stops while the consumer writes to a slow client.
                    idle.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    var message = string.Create(
                        CultureInfo.InvariantCulture, $"No data arrived from the model for {idleTimeout.TotalSeconds:0.###} s.");
                    throw new SageMakerStreamException("StreamIdleTimeout", message, inner: e);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
                {
                    throw new SageMakerStreamException("TruncatedStream", "The response stream was cut: " + e.Message, inner: e);
                }
                if (read == 0)
                {
                    if (end != start)
                    {
                        throw new SageMakerStreamException("TruncatedStream", string.Create(CultureInfo.InvariantCulture,
                            $"The response stream ended inside a frame ({end - start} bytes of an incomplete frame)."));
                    }
                    yield break;
                }
                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static StreamEvent ToEvent(EventStreamMessage message)
    {
        var messageType = Header(message, ":message-type");
        if (messageType == "event")
        {
            var eventType = Header(message, ":event-type");
            if (eventType == "PayloadPart") return new PayloadPart(message.Payload ?? []);
            // Unknown event types are skipped by the protocol's rules; surface them as empty parts.
            return new PayloadPart(ReadOnlyMemory<byte>.Empty);
        }
        if (messageType == "exception")
        {
            var type = Header(message, ":exception-type") ?? "UnknownException";
            var (text, code) = ParseError(message.Payload);
            throw new SageMakerStreamException(type, text ?? $"The stream failed with {type}.", code);
        }
        if (messageType == "error")
        {
            var code = Header(message, ":error-code") ?? "UnknownError";
            throw new SageMakerStreamException(code, Header(message, ":error-message") ?? $"The stream failed with {code}.");
        }
        throw new SageMakerStreamException("InvalidFrame", $"Unknown event-stream message type '{messageType}'.");
    }

    private static string? Header(EventStreamMessage m, string name) =>
        m.Headers is not null && m.Headers.TryGetValue(name, out var h) && h.HeaderType == EventStreamHeaderType.String ? h.AsString() : null;

    private static (string? Message, string? Code) ParseError(byte[]? payload)
    {
        if (payload is null || payload.Length == 0) return (null, null);
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(payload);
            string? msg = null, code = null;
            if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind != System.Text.Json.JsonValueKind.String) continue;
                    if (p.NameEquals("Message") || p.NameEquals("message")) msg = p.Value.GetString();
                    if (p.NameEquals("ErrorCode")) code = p.Value.GetString();
                }
            return (msg, code);
        }
        catch (System.Text.Json.JsonException)
        {
            return (Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, 512)), null);
        }
    }
}
