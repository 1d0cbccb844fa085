extern alias handler;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using HandlerApp = handler::AwsModelPlatform.Handlers.HandlerApp;
using ApiOptions = handler::AwsModelPlatform.Handlers.Hosting.ApiOptions;
using RequestLog = handler::AwsModelPlatform.Handlers.Hosting.RequestLog;
using RequestMetrics = handler::AwsModelPlatform.Handlers.Hosting.RequestMetrics;
using RequestRecord = handler::AwsModelPlatform.Handlers.Hosting.RequestRecord;
using TokenUsage = handler::AwsModelPlatform.Handlers.Hosting.TokenUsage;
using InferenceMetrics = handler::AwsModelPlatform.Handlers.Inference.InferenceMetrics;
using ModelCatalog = handler::AwsModelPlatform.Handlers.Inference.ModelCatalog;
using TrainingMetrics = handler::AwsModelPlatform.Handlers.Training.TrainingMetrics;
using TrainingCatalog = handler::AwsModelPlatform.Handlers.Training.TrainingCatalog;
using JobCostEstimator = handler::AwsModelPlatform.Handlers.Training.JobCostEstimator;

namespace AwsModelPlatform.Contract.Tests;

/// <summary>
/// The handler's Program (<c>HandlerApp.Build</c>) started in this process with a function's synthesized environment
/// as its configuration, as the Lambda runtime would give it (environment variables, <c>__</c> for <c>:</c>).
/// </summary>
internal sealed class InProcessHandler : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessHandler(WebApplication app) => _app = app;

    /// <summary>Builds and starts the handler; throws what startup throws (validation, a route-table mismatch).</summary>
    public static async Task<InProcessHandler> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(environment.Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), (string?)v.Value)));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = HandlerApp.Build(builder);
        await app.StartAsync();
        return new InProcessHandler(app);
    }

    /// <summary>A service of the started handler.</summary>
    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>The settings the handler bound from the environment (<c>IOptions&lt;T&gt;</c>).</summary>
    public T Settings<T>() where T : class => _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<T>>().Value;

    /// <summary>The routes the handler mapped, as <c>METHOD /path</c>.</summary>
    public IReadOnlySet<string> MappedRoutes => ((IEndpointRouteBuilder)_app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
        .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Every EMF metric this handler can write, with its dimensions and their values: one request line per model
    /// (inference) and per operation and job definition (training), written by the handler's own request log.
    /// </summary>
    public IReadOnlySet<EmittedMetric> EmittedMetrics()
    {
        var records = new List<(RequestMetrics Metrics, string? Model)>();
        if (_app.Services.GetService<ModelCatalog>() is { } models)
            records.AddRange(models.All.Select(m => ((RequestMetrics)InferenceMetrics.Instance, (string?)m.Name)));
        if (_app.Services.GetService<TrainingCatalog>() is { } training)
        {
            records.AddRange(new[] { TrainingMetrics.Submit, TrainingMetrics.List, TrainingMetrics.Describe, TrainingMetrics.Stop }.Select(m => ((RequestMetrics)m, (string?)null)));
            // Priced as the handler prices a submission, from the synthesized queue's purchase option and instance types.
            var costs = _app.Services.GetRequiredService<JobCostEstimator>();
            records.AddRange(training.Definitions.Select(d => ((RequestMetrics)TrainingMetrics.Submitted(d, gpusPerNode: null, nodes: d.Nodes,
                costs.AtSubmission(d, d.Nodes, instanceType: null).HourlyUsd), (string?)null)));
        }
        var emitted = new HashSet<EmittedMetric>();
        foreach (var (metrics, model) in records)
        {
            using var output = new MemoryStream();
            new RequestLog(output, ApiOptions.NameFrom(_app.Configuration))
                .Write(new RequestRecord("request", Caller, "POST", "/", model, 200, false, 1, null, new TokenUsage(1, 2, 3), metrics));
            var line = JsonNode.Parse(output.ToArray())!;
            foreach (var directive in line["_aws"]!["CloudWatchMetrics"]!.AsArray())
                foreach (var set in directive!["Dimensions"]!.AsArray())
                    foreach (var metric in directive["Metrics"]!.AsArray())
                        emitted.Add(new EmittedMetric(directive["Namespace"]!.GetValue<string>(), metric!["Name"]!.GetValue<string>(),
                            EmittedMetric.Key(set!.AsArray().Select(d => d!.GetValue<string>()).Select(d => (d, line[d]!.ToString())))));
        }
        return emitted;
    }

    /// <summary>The caller of the sample lines: a metric per caller is read with whichever caller a reader names.</summary>
    public const string Caller = "arn:aws:iam::111122223333:role/caller";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One metric in one namespace with one dimension set and its values (<c>Name=value</c>, sorted).</summary>
internal sealed record EmittedMetric(string Namespace, string Name, string Dimensions)
{
    public static string Key(IEnumerable<(string Name, string Value)> dimensions) =>
        string.Join(",", dimensions.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => $"{d.Name}={d.Value}"));
}
