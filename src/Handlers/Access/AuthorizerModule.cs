using System.Text.Json;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// The <c>authorizer</c> route group: the REQUEST Lambda authorizer of an API in key mode. The Web Adapter posts the
/// authorizer event to its pass-through path (<see cref="Routes.AuthorizeRequest"/>) and returns the answer to API Gateway.
/// </summary>
internal sealed class AuthorizerModule : IRouteGroupModule
{
    /// <summary>The most an authorizer event may be (headers of one request; API Gateway caps them far below).</summary>
    private const int MaxEventBytes = 64 * 1024;

    public string Name => RouteGroup.Authorizer;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AccessServices.Add(services, configuration);
        services.AddSingleton(sp => new KeyAuthorizer(sp.GetRequiredService<KeyStore>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(AccessServices.Settings(sp).KeyCacheSeconds)));
    }

    public void Map(IEndpointRouteBuilder app, ServedRoutes routes)
    {
        _ = app.ServiceProvider.GetRequiredService<KeyAuthorizer>(); // fail at startup on missing settings
        if (routes.Contains(Routes.AuthorizeRequest))
            app.MapPost(Routes.AuthorizeRequest.Path, AuthorizeAsync).Named(Routes.AuthorizeRequest).WithTags("Access")
                .WithSummary("A REQUEST Lambda authorizer event (through the Web Adapter's pass-through path): an IAM policy for the stage, with the key's team as context.")
                .Produces<AuthorizerResponse>(200)
                .ProducesProblems(400, 413);
    }

    private static async Task AuthorizeAsync(HttpContext http, KeyAuthorizer authorizer)
    {
        var body = await RequestBody.ReadAsync(http.Request, MaxEventBytes, http.RequestAborted, allowEmpty: true);
        AuthorizerRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body, AccessJsonContext.Default.AuthorizerRequest);
        }
        catch (JsonException e)
        {
            throw Problems.MalformedJson($"The authorizer event is not JSON: {e.Message}");
        }
        if (request is not { Type: "REQUEST" }) throw Problems.BadRequest("The event is not a REQUEST authorizer event (its type must be REQUEST).");
        var answer = await authorizer.AuthorizeAsync(request, http.RequestAborted);
        await http.Response.WriteAsJsonAsync(answer, AccessJsonContext.Default.AuthorizerResponse, cancellationToken: http.RequestAborted);
    }
}
