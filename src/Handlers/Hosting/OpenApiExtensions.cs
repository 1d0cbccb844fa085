using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AwsModelPlatform.Handlers.Hosting;

public static class OpenApiExtensions
{
    /// <summary>
    /// Documents a request body that the route reads raw (passed through to the model) in the given media types.
    /// Written as a transformer: a raw body has no .NET type for the schema generator to describe.
    /// </summary>
    public static RouteHandlerBuilder AcceptsBody(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var content = new Dictionary<string, OpenApiMediaType>();
            foreach (var type in contentTypes)
                content[type] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = type.Contains("json") ? JsonSchemaType.Object : JsonSchemaType.String, Format = type.Contains("json") ? null : "binary" } };
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
            return Task.CompletedTask;
        });

    /// <summary>
    /// Documents a JSON body of <typeparamref name="T"/> that the route reads itself. Not <c>Accepts&lt;T&gt;</c>: its
    /// metadata makes routing answer another media type with a bare 415 before the handler can give its own problem.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>Documents the problem+json answers of <paramref name="statuses"/>.</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.Produces<Problem>(status, "application/problem+json");
        return builder;
    }
}
