using System.Text;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AwsModelPlatform.Handlers.Tests;

public sealed class SseReassemblerTests
{
    [Fact]
    public void Lines_split_at_every_byte_come_out_whole()
    {
        var input = Encoding.UTF8.GetBytes("data: {\"a\":1}\n\ndata: {\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3}}\n\ndata: [DONE]\n\n");
        var sse = new SseReassembler();
        var output = new StringBuilder();
        foreach (var b in input) output.Append(Encoding.UTF8.GetString(sse.Push([b])));
        Assert.Equal(Encoding.UTF8.GetString(input), output.ToString());
        Assert.True(sse.SawDone);
        Assert.Equal(new TokenUsage(2, 3, 5), sse.Usage);
    }

    [Fact]
    public void The_usage_chunk_is_kept_from_a_client_that_did_not_ask_and_still_counted()
    {
        const string Chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n";
        const string Usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3,\"total_tokens\":5}}\n\n";
        var input = Encoding.UTF8.GetBytes(Chunk + Usage + "data: [DONE]\n\n");
        foreach (var strip in new[] { true, false })
        {
            var sse = new SseReassembler(strip);
            var output = new StringBuilder();
            // Split at every byte: the chunk and its blank separator may arrive in different PayloadParts.
            foreach (var b in input) output.Append(Encoding.UTF8.GetString(sse.Push([b])));
            Assert.Equal(strip ? Chunk + "data: [DONE]\n\n" : Encoding.UTF8.GetString(input), output.ToString());
            Assert.Equal(new TokenUsage(2, 3, 5), sse.Usage);
        }
    }

    [Fact]
    public void A_chunk_with_choices_and_usage_is_never_stripped()
    {
        var sse = new SseReassembler(stripUsage: true);
        const string Both = "data: {\"choices\":[{\"delta\":{}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n";
        Assert.Equal(Both, Encoding.UTF8.GetString(sse.Push(Encoding.UTF8.GetBytes(Both))));
    }

    [Fact]
    public void Bare_json_lines_are_wrapped_as_data_events()
    {
        var sse = new SseReassembler();
        var output = Encoding.UTF8.GetString(sse.Push("{\"x\":1}\n{\"y\""u8)) + Encoding.UTF8.GetString(sse.Push(":2}"u8)) + Encoding.UTF8.GetString(sse.Complete());
        Assert.Equal("data: {\"x\":1}\n\ndata: {\"y\":2}\n\n\n", output);
        Assert.False(sse.SawDone);
    }
}
