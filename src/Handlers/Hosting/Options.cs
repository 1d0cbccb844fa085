namespace AwsModelPlatform.Handlers.Hosting;

/// <summary><c>Api:*</c>: which route groups this process maps, and the API its metrics belong to.</summary>
public sealed class ApiOptions
{
    /// <summary>The API name of a process whose configuration does not name its API (local runs, tests).</summary>
    public const string DefaultName = "local";

    /// <summary>
    /// <c>Api:Name</c>, the REST API's name (the constructs set <c>Api__Name</c> to <c>{platform prefix}-{API name}</c>):
    /// the value of the <c>Api</c> dimension of every EMF metric, so two deployments in one account and region keep
    /// their metrics apart. Unset or blank: <see cref="DefaultName"/>.
    /// </summary>
    public static string NameFrom(IConfiguration configuration) =>
        configuration["Api:Name"] is { } name && !string.IsNullOrWhiteSpace(name) ? name.Trim() : DefaultName;

    /// <summary>Comma-separated group names (<c>inference</c>, <c>training</c>). Unset: every group this build knows.</summary>
    public string? RouteGroups { get; set; }
}

/// <summary><c>Aws:*</c>: region and endpoint overrides.</summary>
public sealed class AwsOptions
{
    /// <summary>Region name; defaults to the <c>AWS_REGION</c> environment variable.</summary>
    public string? Region { get; set; }

    public ServiceUrlOptions ServiceUrls { get; set; } = new();
}

/// <summary><c>Aws:ServiceUrls:*</c>: endpoint overrides for tests and local runs (plain http only on loopback).</summary>
public sealed class ServiceUrlOptions
{
    public string? SageMakerRuntime { get; set; }
    public string? S3 { get; set; }
    public string? Kms { get; set; }
    public string? Batch { get; set; }
}
