namespace AwsModelPlatform.Handlers.Hosting;

/// <summary><c>Api:*</c>: which route groups this process maps.</summary>
public sealed class ApiOptions
{
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
