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
    public void Bare_json_lines_are_wrapped_as_data_events()
    {
        var sse = new SseReassembler();
        var output = Encoding.UTF8.GetString(sse.Push("{\"x\":1}\n{\"y\""u8)) + Encoding.UTF8.GetString(sse.Push(":2}"u8)) + Encoding.UTF8.GetString(sse.Complete());
        Assert.Equal("data: {\"x\":1}\n\ndata: {\"y\":2}\n\n\n", output);
        Assert.False(sse.SawDone);
    }
}

public sealed class RouteGroupTests
{
    private sealed class Fake(string name) : IRouteGroupModule
    {
        public string Name { get; } = name;
        public void AddServices(IServiceCollection services, IConfiguration configuration) { }
        public void Map(IEndpointRouteBuilder app, ServedRoutes routes) { }
    }

    private static IConfiguration Config(string? groups) =>
        new ConfigurationBuilder().AddInMemoryCollection(groups is null ? [] : [new("Api:RouteGroups", groups)]).Build();

    [Fact]
    public void Only_listed_groups_are_selected()
    {
        var inference = new Fake("inference");
        var training = new Fake("training");
        Assert.Equal([inference], RouteGroups.Select(Config("inference"), inference, training));
        Assert.Equal([training], RouteGroups.Select(Config("Training"), inference, training));
        Assert.Equal([inference, training], RouteGroups.Select(Config("inference, training"), inference, training));
    }

    [Fact]
    public void Unset_selects_the_groups_that_need_no_access_table()
    {
        var inference = new Fake("inference");
        var training = new Fake("training");
        var authorizer = new Fake("authorizer");
        var access = new Fake("access");
        Assert.Equal([inference, training], RouteGroups.Select(Config(null), inference, training, authorizer, access));
        Assert.Equal([authorizer, access], RouteGroups.Select(Config("authorizer,access"), inference, training, authorizer, access));
    }
}

public sealed class ApiDimensionTests
{
    [Theory]
    [InlineData(null, "local")]
    [InlineData("", "local")]
    [InlineData("  ", "local")]
    [InlineData("amp-prod-models", "amp-prod-models")]
    public void Api_name_comes_from_configuration_or_defaults_to_local(string? configured, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(configured is null ? [] : [new("Api:Name", configured)]).Build();
        Assert.Equal(expected, ApiOptions.NameFrom(configuration));
    }

    [Fact]
    public void Every_directive_of_every_record_starts_with_the_api_dimension_whose_value_the_record_carries()
    {
        var output = new MemoryStream();
        var log = new RequestLog(output, "amp-dev-models");
        log.Write(new RequestRecord("r1", "alice", "POST", "/v1/chat/completions", "chat", 200, false, 3, null, new TokenUsage(1, 2, 3), InferenceMetrics.Instance));
        log.Write(new RequestRecord("r2", "alice", "POST", "/v1/training-jobs", null, 201, false, 3, null, null,
            Training.TrainingMetrics.Submitted(new Training.TrainingDefinition("ddp", "platform-ddp", 2, 2, Gpus: 4), null, 2)));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        var dimensionSets = lines.SelectMany(l => l.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray())
            .Select(d => string.Join(",", d.GetProperty("Dimensions")[0].EnumerateArray().Select(n => n.GetString()))).ToList();
        Assert.Equal(["Api,Model", "Api,Model,Caller", "Api,Operation", "Api,Definition"], dimensionSets);
        Assert.All(lines, l => Assert.Equal("amp-dev-models", l.GetProperty("Api").GetString()));
    }

    [Fact]
    public void A_directive_without_the_api_dimension_first_is_refused()
    {
        var requests = new HandlerMetric("Requests", HandlerMetrics.Count, HandlerMetrics.Sum);
        Assert.Throws<ArgumentException>(() => new MetricDirective(new HandlerMetricSet("N", ["Model"], [requests])));
        Assert.Throws<ArgumentException>(() => new MetricDirective(new HandlerMetricSet("N", ["Model", "Api"], [requests])));
    }
}

public sealed class ProblemMappingTests
{
    [Theory]
    [InlineData(400, "ValidationError", 400)]
    [InlineData(424, "ModelError", 424)]
    [InlineData(429, "ModelNotReadyException", 429)]
    [InlineData(400, "ThrottlingException", 429)]
    [InlineData(500, "InternalFailure", 502)]
    [InlineData(503, "ServiceUnavailable", 503)]
    [InlineData(530, "InternalDependencyException", 503)]
    [InlineData(403, "InvalidSignatureException", 502)]
    public void SageMaker_errors_map_to_the_documented_status(int upstream, string errorType, int expected)
    {
        var e = new Aws.SageMakerException(upstream, errorType, "m");
        Assert.Equal(expected, Problems.FromSageMaker(e).Problem.Status);
    }

    [Fact]
    public void No_capacity_is_a_503_model_no_capacity_with_retry_after_and_every_other_validation_error_stays_400()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("{\"message\":\"" + Fakes.FakeSageMakerRuntime.NoCapacityMessage + "\"}");
        var noCapacity = Aws.SageMakerException.From(System.Net.HttpStatusCode.BadRequest, "ValidationError:http://internal.amazon.com/coral/com.amazon.sagemaker/", "rid-1", null, body);
        Assert.True(noCapacity.IsNoCapacity);
        Assert.False(noCapacity.IsServiceFault);
        var (problem, retryAfter) = Problems.FromSageMaker(noCapacity, "llm");
        Assert.Equal(503, problem.Status);
        Assert.EndsWith("/model-no-capacity", problem.Type);
        Assert.Equal(Problems.NoCapacityRetryAfter, retryAfter);
        Assert.Contains("model 'llm'", problem.Detail);
        Assert.Equal("rid-1", problem.UpstreamRequestId);

        var other = Aws.SageMakerException.From(System.Net.HttpStatusCode.BadRequest, "ValidationError", "rid-2", null, "{\"message\":\"Endpoint llm of account 123456789012 not found.\"}"u8);
        Assert.False(other.IsNoCapacity);
        var (rejected, none) = Problems.FromSageMaker(other);
        Assert.Equal((400, (TimeSpan?)null), (rejected.Status, none));
        Assert.EndsWith("/upstream-validation", rejected.Type);
    }

    [Fact]
    public async Task No_capacity_is_answered_at_once_and_never_opens_the_circuit_breaker()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AwsModelPlatform.Contracts.InferenceSettings
        {
            MaxRetries = 3, RetryBaseDelayMilliseconds = 1, BreakerFailureRatio = 0.5, BreakerMinimumThroughput = 2, BreakerSamplingSeconds = 30, BreakerBreakSeconds = 30,
        });
        var resilience = new Inference.InvocationResilience(options, TimeProvider.System);
        var calls = 0;
        var noCapacity = new Aws.SageMakerException(400, "ValidationError", Fakes.FakeSageMakerRuntime.NoCapacityMessage);
        for (var i = 0; i < 10; i++)
            await Assert.ThrowsAsync<Aws.SageMakerException>(() => resilience.ExecuteAsync<int>("asleep", TimeSpan.FromSeconds(10), _ => { calls++; throw noCapacity; }, CancellationToken.None));
        Assert.Equal(10, calls); // one attempt each: no retries
        Assert.Equal(1, await resilience.ExecuteAsync("asleep", TimeSpan.FromSeconds(10), _ => Task.FromResult(1), CancellationToken.None));

        // The same pipeline does open on service faults.
        var unavailable = new Aws.SageMakerException(503, "ServiceUnavailable", "down");
        for (var i = 0; i < 4; i++)
        {
            try { await resilience.ExecuteAsync<int>("faulty", TimeSpan.FromSeconds(10), _ => throw unavailable, CancellationToken.None); }
            catch (Exception e) when (e is Aws.SageMakerException or Polly.CircuitBreaker.BrokenCircuitException) { }
        }
        await Assert.ThrowsAsync<Polly.CircuitBreaker.BrokenCircuitException>(() => resilience.ExecuteAsync("faulty", TimeSpan.FromSeconds(10), _ => Task.FromResult(1), CancellationToken.None));
    }

    [Fact]
    public void Error_type_header_namespace_is_stripped_and_body_fields_are_read()
    {
        var body = "{\"Message\":\"m\",\"OriginalStatusCode\":418,\"OriginalMessage\":\"teapot\"}"u8;
        var e = Aws.SageMakerException.From(System.Net.HttpStatusCode.FailedDependency, "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/", "rid", null, body);
        Assert.Equal("ModelError", e.ErrorType);
        Assert.Equal(418, e.OriginalStatusCode);
        Assert.Equal("teapot", e.OriginalMessage);
        Assert.Equal("rid", e.RequestId);
    }
}

public sealed class S3ErrorMappingTests
{
    private static readonly RequestContext Context = new() { RequestId = "req-1", Caller = "tester" };

    [Theory]
    [InlineData(System.Net.HttpStatusCode.Forbidden, "AccessDenied", 502, "upstream-auth", false)]
    [InlineData(System.Net.HttpStatusCode.ServiceUnavailable, "SlowDown", 503, "upstream-unavailable", true)]
    [InlineData(System.Net.HttpStatusCode.InternalServerError, "InternalError", 502, "upstream-error", false)]
    public void A_failed_S3_call_is_a_problem_naming_S3_with_its_request_id_never_a_bare_500(System.Net.HttpStatusCode s3Status, string code, int status, string slug, bool retryAfter)
    {
        var error = new Amazon.S3.AmazonS3Exception("refused", Amazon.Runtime.ErrorType.Sender, code, "s3-request-9", s3Status);
        var (problem, retry) = RequestPipelineMiddleware.Map(error, Context);
        Assert.Equal(status, problem.Status);
        Assert.EndsWith("/" + slug, problem.Type);
        Assert.Equal("s3-request-9", problem.UpstreamRequestId);
        Assert.Equal(code, problem.ErrorType);
        Assert.Equal(retryAfter, retry is not null);
    }

    [Fact]
    public void Network_and_SDK_failures_are_502_problems_not_a_bare_500()
    {
        var kms = new Amazon.Runtime.AmazonServiceException("denied", Amazon.Runtime.ErrorType.Sender, "AccessDeniedException", "kms-request-3", System.Net.HttpStatusCode.BadRequest);
        var (fromKms, _) = RequestPipelineMiddleware.Map(kms, Context);
        Assert.Equal((502, "kms-request-3", "AccessDeniedException"), (fromKms.Status, fromKms.UpstreamRequestId, fromKms.ErrorType));
        Assert.EndsWith("/upstream-error", fromKms.Type);
        foreach (var error in new Exception[] { new HttpRequestException("Connection refused (s3.amazonaws.com:443)"), new Amazon.Runtime.AmazonClientException("No response") })
        {
            var (problem, _) = RequestPipelineMiddleware.Map(error, Context);
            Assert.Equal(502, problem.Status);
            Assert.EndsWith("/upstream-unreachable", problem.Type);
            Assert.Contains(error.Message, problem.Detail);
        }
    }
}
