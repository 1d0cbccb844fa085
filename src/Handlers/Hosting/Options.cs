namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>The process's <see cref="ApiSettings"/> (<c>Api:*</c>): the route groups it maps and the API its metrics belong to.</summary>
public static class ApiOptions
{
    /// <summary>The API name of a process whose configuration does not name its API (local runs, tests).</summary>
    public const string DefaultName = ApiSettings.LocalName;

    /// <summary>The bound <c>Api</c> section; every default when it is absent.</summary>
    internal static ApiSettings Bind(IConfiguration configuration) => configuration.GetSection(ApiSettings.Section).Get<ApiSettings>() ?? new ApiSettings();

    /// <summary>
    /// <c>Api:Name</c>, the REST API's name (<see cref="ApiSettings.Name"/>): the value of the <c>Api</c> dimension of
    /// every EMF metric, so two deployments in one account and region keep their metrics apart. Unset or blank:
    /// <see cref="DefaultName"/>.
    /// </summary>
    public static string NameFrom(IConfiguration configuration) => Bind(configuration).EffectiveName;
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
    public string? DynamoDb { get; set; }

    /// <summary>SageMaker's control plane (<c>api.sagemaker</c>): where a model scaled to zero is woken.</summary>
    public string? SageMaker { get; set; }
}
