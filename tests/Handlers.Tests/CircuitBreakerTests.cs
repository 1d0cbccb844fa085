using System.Collections.Concurrent;
using System.Net;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>The circuit breaker of a failing endpoint, in a handler process against the shared fakes.</summary>
[Collection(HandlerCollection.Name)]
public sealed class CircuitBreakerTests(HandlerFixture f)
{
    private Dictionary<string, string> BaseEnv(params InferenceModelSettings[] more)
    {
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url));
        AddModels(env, [Model("echo", "echo"), Model("down", "unavailable"), .. more]);
        return env;
    }

    [Fact]
    public async Task Circuit_breaker_opens_on_a_failing_endpoint_and_spares_it()
    {
        var env = BaseEnv();
        env["Inference__MaxRetries"] = "0";
        env["Inference__BreakerMinimumThroughput"] = "3";
        env["Inference__BreakerBreakSeconds"] = "30";
        var output = new ConcurrentQueue<string>();
        var (process, url) = await HandlerFixture.StartHandlerAsync(env, output);
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            for (var i = 0; i < 3; i++)
            {
                using var failing = await http.PostAsync("/v1/endpoints/down/invocations", Body("{}"));
                await AssertProblemAsync(failing, 503, "upstream-unavailable");
            }
            var calls = f.SageMaker.Calls.Count(c => c.Endpoint == "unavailable");
            using var open = await http.PostAsync("/v1/endpoints/down/invocations", Body("{}"));
            await AssertProblemAsync(open, 503, "circuit-open");
            Assert.NotNull(Header(open, "Retry-After"));
            Assert.Equal(calls, f.SageMaker.Calls.Count(c => c.Endpoint == "unavailable"));
            // The breaker is per endpoint: a healthy one is unaffected.
            using var healthy = await http.PostAsync("/v1/endpoints/echo/invocations", Body("{}"));
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }
        finally
        {
            HandlerFixture.Stop(process);
        }
    }
}
