using System.Collections.Concurrent;
using System.Net;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>Handler processes with their own configuration, against the shared fakes.</summary>
[Collection(HandlerCollection.Name)]
public sealed class SecondaryHandlerTests(HandlerFixture f)
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

    [Fact]
    public async Task Route_groups_gate_what_is_mapped_and_unknown_groups_fail_startup()
    {
        var env = BaseEnv();
        env["Api__RouteGroups"] = "inference,billing";
        var e = await StartupFailure(env);
        Assert.Contains("'billing', which is not a route group of this build", e.Message);
    }

    [Fact]
    public async Task Misconfigured_model_fails_startup_naming_the_key()
    {
        var env = BaseEnv(Model("bad", "not_a valid/name"));
        var e = await StartupFailure(env);
        Assert.Contains("Inference:Models:2:EndpointName (model 'bad')", e.Message);
    }

    [Fact]
    public async Task Plain_http_endpoint_override_is_refused_off_loopback()
    {
        var env = BaseEnv();
        env["Aws__ServiceUrls__SageMakerRuntime"] = "http://runtime.example.com/";
        var e = await StartupFailure(env);
        Assert.Contains("plain http only for a loopback address", e.Message);
    }

    /// <summary>Starts a handler expected to refuse its configuration; stops it if it started after all.</summary>
    private static async Task<InvalidOperationException> StartupFailure(Dictionary<string, string> env)
    {
        try
        {
            var (process, _) = await HandlerFixture.StartHandlerAsync(env, new ConcurrentQueue<string>());
            HandlerFixture.Stop(process);
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("the handler started with a configuration it should refuse");
    }
}
