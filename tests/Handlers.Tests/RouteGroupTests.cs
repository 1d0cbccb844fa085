using System.Text;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AwsModelPlatform.Handlers.Tests;

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
