using AwsModelPlatform.Handlers.Aws;

namespace AwsModelPlatform.Handlers.Hosting;

public static class HostingSetup
{
    /// <summary>JSON logs, the JSON context, OpenAPI, Kestrel limits, AWS options and the request log (access log + EMF).</summary>
    public static WebApplicationBuilder AddHandlerHosting(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = false;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting writes only Debug/Information lines (filtered out above), but while its logger is enabled at all it
        // starts an Activity per request, which the HttpClient then propagates (traceparent) to SageMaker: a cost on
        // every request for a trace nobody collects. Off; an OpenTelemetry listener would still get its activities.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(k =>
        {
            // The largest body any model may take; per-model limits are enforced while reading.
            k.Limits.MaxRequestBodySize = InferenceSettings.SageMakerMaxPayloadBytes;
            k.AddServerHeader = false;
        });

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HandlerJsonContext.Default));
        builder.Services.AddOpenApi();
        builder.Services.Configure<AwsOptions>(builder.Configuration.GetSection("Aws"));
        builder.Services.AddSingleton<AwsEnvironment>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new RequestLog(Console.OpenStandardOutput(), ApiOptions.NameFrom(builder.Configuration)));
        return builder;
    }
}
