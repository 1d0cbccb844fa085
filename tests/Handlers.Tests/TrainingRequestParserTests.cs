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

/// <summary>A submission body as the parser reads it: the ranges and names it refuses, and what makes two submissions different.</summary>
public sealed class TrainingRequestParserTests : TrainingTestSupport
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void More_nodes_than_MaxNodes_or_none_is_a_400_naming_the_range(int nodes)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(
            Encoding.UTF8.GetBytes($$"""{"name":"j","definition":"ddp","nodes":{{nodes}}}"""), Catalog(MultiNodeConfig)));
        Assert.Equal(400, e.Problem.Status);
        Assert.EndsWith("too-many-nodes", e.Problem.Type);
        Assert.Contains("1..4", e.Problem.Detail);
    }

    [Theory]
    [InlineData("""{"name":"\ud800","definition":"finetune"}""")]
    [InlineData("""{"name":"j","definition":"finetune","hyperparameters":{"\ud800":"1"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","hyperparameters":{"lr":"\udfff"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","secrets":{"HF_TOKEN":"hf_\ud800"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","command":["python","\ud800"]}""")]
    [InlineData("""{"\udc00":"j","definition":"finetune"}""")]
    public void Lone_surrogate_escapes_are_malformed_json_not_a_crash(string json)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(json), Catalog(Config)));
        Assert.Equal(400, e.Problem.Status);
        Assert.EndsWith("malformed-json", e.Problem.Type);
        Assert.DoesNotContain("hf_", e.Problem.Detail);
    }

    [Theory]
    [InlineData("""{"name":"j\n","definition":"finetune"}""")]
    [InlineData("""{"name":"j","definition":"finetune","hyperparameters":{"lr\n":"1"}}""")]
    [InlineData("""{"name":"j","definition":"finetune","secrets":{"HF_TOKEN\n":"hf_x"}}""")]
    public void A_trailing_newline_is_not_part_of_a_valid_name(string json)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(json), Catalog(Config)));
        Assert.Equal(400, e.Problem.Status);
        Assert.EndsWith("bad-request", e.Problem.Type);
    }

    [Fact]
    public void A_dataset_uri_with_a_trailing_newline_is_refused_in_a_submission()
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(
            Encoding.UTF8.GetBytes("""{"name":"j","definition":"finetune","datasetUri":"s3://datasets/x\n"}"""), Catalog(Config)));
        Assert.EndsWith("dataset-outside-bucket", e.Problem.Type);
    }

    [Theory]
    [InlineData("ddp", 3601, "60..3600")] // above the definition's own timeout, below the cap: may lower it, never raise it
    [InlineData("finetune", 7201, "60..7200")] // the definition's timeout is not configured: the cap
    [InlineData("ddp", 59, "60..3600")]
    public void A_maxRuntimeSeconds_above_the_definitions_timeout_or_the_cap_is_a_400_naming_the_range(string definition, int seconds, string range)
    {
        var e = Assert.Throws<ApiProblemException>(() => TrainingRequestParser.Parse(
            Encoding.UTF8.GetBytes($$"""{"name":"j","definition":"{{definition}}","maxRuntimeSeconds":{{seconds}}}"""), Catalog(MultiNodeConfig)));
        Assert.Equal(400, e.Problem.Status);
        Assert.Contains(range, e.Problem.Detail);
    }

    [Fact]
    public void Omitting_maxRuntimeSeconds_and_giving_it_are_different_submissions_for_idempotency()
    {
        var catalog = Catalog(MultiNodeConfig);
        var omitted = TrainingRequestParser.Parse("""{"name":"j","definition":"ddp"}"""u8, catalog);
        var given = TrainingRequestParser.Parse("""{"name":"j","definition":"ddp","maxRuntimeSeconds":3600}"""u8, catalog);
        Assert.Null(omitted.MaxRuntimeSeconds);
        Assert.NotEqual(omitted.Fingerprint(), given.Fingerprint());
    }
}
