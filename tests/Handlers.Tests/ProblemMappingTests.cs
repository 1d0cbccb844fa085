using System.Text;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AwsModelPlatform.Handlers.Tests;

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
