using System.Collections.Concurrent;
using System.Net;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>What a handler process refuses to start with, and the route groups it maps.</summary>
[Collection(HandlerCollection.Name)]
public sealed class HandlerStartupTests(HandlerFixture f)
{
    private Dictionary<string, string> BaseEnv(params InferenceModelSettings[] more)
    {
        var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url));
        AddModels(env, [Model("echo", "echo"), Model("down", "unavailable"), .. more]);
        return env;
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
