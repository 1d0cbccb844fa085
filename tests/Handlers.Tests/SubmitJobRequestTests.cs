using System.Net;
using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>What a submission sends to AWS Batch: node overrides, tags and the attempt timeout.</summary>
public sealed class SubmitJobRequestTests : TrainingTestSupport
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_multi_node_job_of_another_size_sends_numNodes_and_one_override_for_every_node(int nodes)
    {
        using var body = await SubmittedBody($$"""{"name":"j","definition":"ddp","nodes":{{nodes}},"command":["torchrun","train.py"]}""");
        var overrides = body.RootElement.GetProperty("nodeOverrides");
        Assert.Equal(nodes, overrides.GetProperty("numNodes").GetInt32());
        var range = Assert.Single(overrides.GetProperty("nodePropertyOverrides").EnumerateArray());
        Assert.Equal("0:", range.GetProperty("targetNodes").GetString());
        var env = range.GetProperty("containerOverrides").GetProperty("environment").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("value").GetString());
        Assert.Equal(nodes.ToString(), env["NNODES"]);
        Assert.False(body.RootElement.TryGetProperty("containerOverrides", out _));
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"ddp","nodes":2}""")]
    [InlineData("""{"name":"j","definition":"ddp"}""")]
    public async Task A_multi_node_job_of_the_definitions_size_leaves_numNodes_to_the_definition(string json)
    {
        using var body = await SubmittedBody(json);
        var overrides = body.RootElement.GetProperty("nodeOverrides");
        Assert.False(overrides.TryGetProperty("numNodes", out _));
        Assert.Equal("0:", Assert.Single(overrides.GetProperty("nodePropertyOverrides").EnumerateArray()).GetProperty("targetNodes").GetString());
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"finetune"}""", "finetune")]
    [InlineData("""{"name":"j","definition":"ddp","nodes":3}""", "ddp")]
    public async Task Every_job_is_tagged_with_the_job_tag_and_only_with_the_keys_the_role_allows(string json, string definition)
    {
        using var body = await SubmittedBody(json);
        var tags = body.RootElement.GetProperty("tags").EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetString());
        Assert.Equal(JobTag, tags[JobTags.TrainingJobs]);
        Assert.Equal(definition, tags[JobTags.Definition]);
        Assert.Equal("caller", tags[JobTags.Caller]);
        // sha256("caller"), hex: what visibility compares (the readable tag is not unique).
        Assert.Equal(64, tags[JobTags.CallerHash]!.Length); // fits Batch's tag values (≤ 256, hex is in the charset)
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("caller"u8)), tags[JobTags.CallerHash]);
        Assert.All(tags.Keys, k => Assert.Contains(k, JobTags.Keys)); // the role's aws:TagKeys condition
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"finetune"}""")]
    [InlineData("""{"name":"j","definition":"ddp"}""")]
    public async Task Without_maxRuntimeSeconds_no_timeout_is_sent_so_the_definitions_own_applies(string json)
    {
        using var body = await SubmittedBody(json);
        Assert.False(body.RootElement.TryGetProperty("timeout", out _));
    }

    [Theory]
    [InlineData("""{"name":"j","definition":"finetune","maxRuntimeSeconds":7200}""", 7200)]
    [InlineData("""{"name":"j","definition":"ddp","maxRuntimeSeconds":60}""", 60)]
    [InlineData("""{"name":"j","definition":"ddp","maxRuntimeSeconds":3600}""", 3600)]
    public async Task A_given_maxRuntimeSeconds_is_sent_as_the_attempt_timeout(string json, int seconds)
    {
        using var body = await SubmittedBody(json);
        Assert.Equal(seconds, body.RootElement.GetProperty("timeout").GetProperty("attemptDurationSeconds").GetInt32());
    }
}
