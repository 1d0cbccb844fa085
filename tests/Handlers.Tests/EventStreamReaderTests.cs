using System.Text;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Tests.Fakes;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>The event-stream decoder alone, over byte streams built frame by frame.</summary>
public sealed class EventStreamReaderTests
{
    private static async Task<List<string>> Read(Stream s)
    {
        var parts = new List<string>();
        await foreach (var e in EventStreamReader.ReadAsync(s, CancellationToken.None))
            if (e is PayloadPart p) parts.Add(Encoding.UTF8.GetString(p.Bytes.Span));
        return parts;
    }

    private static byte[] Frames(params string[] parts) => parts.SelectMany(p => EventStreamFrames.PayloadPart(Encoding.UTF8.GetBytes(p))).ToArray();

    [Fact]
    public async Task Decodes_consecutive_frames_in_one_buffer()
    {
        Assert.Equal(["one", "two", "three"], await Read(new MemoryStream(Frames("one", "two", "three"))));
    }

    [Fact]
    public async Task A_slow_consumer_is_not_the_models_silence()
    {
        // The consumer takes longer than the idle timeout to write each part (a slow client); the model sent all at once.
        var parts = new List<string>();
        await foreach (var e in EventStreamReader.ReadAsync(new MemoryStream(Frames("one", "two")), TimeSpan.FromMilliseconds(100), CancellationToken.None))
        {
            if (e is PayloadPart p) parts.Add(Encoding.UTF8.GetString(p.Bytes.Span));
            await Task.Delay(300);
        }
        Assert.Equal(["one", "two"], parts);
    }

    [Fact]
    public async Task Decodes_frames_delivered_one_byte_at_a_time()
    {
        Assert.Equal(["alpha", "beta"], await Read(new TrickleStream(Frames("alpha", "beta"), 1)));
    }

    [Fact]
    public async Task Decodes_a_frame_larger_than_the_read_buffer()
    {
        var big = new string('z', 200_000);
        Assert.Equal([big, "after"], await Read(new TrickleStream(Frames(big, "after"), 10_000)));
    }

    [Fact]
    public async Task Stream_ending_inside_a_frame_is_a_truncation()
    {
        var bytes = Frames("complete", "cut-here");
        var e = await Assert.ThrowsAsync<SageMakerStreamException>(() => Read(new MemoryStream(bytes[..^5])));
        Assert.Equal("TruncatedStream", e.ErrorType);
    }

    [Fact]
    public async Task Bad_message_crc_is_an_invalid_frame()
    {
        var bytes = Frames("good", "tampered");
        bytes[^6] ^= 0x01;
        var e = await Assert.ThrowsAsync<SageMakerStreamException>(() => Read(new MemoryStream(bytes)));
        Assert.Equal("InvalidFrame", e.ErrorType);
    }

    [Fact]
    public async Task Bad_prelude_crc_is_an_invalid_frame()
    {
        var bytes = Frames("x");
        bytes[9] ^= 0xFF;
        var e = await Assert.ThrowsAsync<SageMakerStreamException>(() => Read(new MemoryStream(bytes)));
        Assert.Equal("InvalidFrame", e.ErrorType);
    }

    [Fact]
    public async Task Exception_event_surfaces_its_type_and_message()
    {
        var bytes = Frames("partial").Concat(EventStreamFrames.Exception("ModelStreamError", "{\"Message\":\"boom\",\"ErrorCode\":\"E1\"}")).ToArray();
        var e = await Assert.ThrowsAsync<SageMakerStreamException>(() => Read(new MemoryStream(bytes)));
        Assert.Equal("ModelStreamError", e.ErrorType);
        Assert.Equal("boom", e.Message);
        Assert.Equal("E1", e.ErrorCode);
    }

    [Fact]
    public async Task A_silent_model_ends_the_stream_with_the_idle_timeout_written_in_the_invariant_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE"); // decimal comma
        try
        {
            var e = await Assert.ThrowsAsync<SageMakerStreamException>(async () =>
            {
                await foreach (var _ in EventStreamReader.ReadAsync(new SilentStream(), TimeSpan.FromMilliseconds(250), CancellationToken.None)) { }
            });
            Assert.Equal("StreamIdleTimeout", e.ErrorType);
            Assert.Equal("No data arrived from the model for 0.25 s.", e.Message);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>A model that sends nothing: every read waits until cancelled.</summary>
    private sealed class SilentStream : MemoryStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read, like a slow network.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
