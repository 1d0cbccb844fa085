namespace AwsModelPlatform.Contracts;

/// <summary>
/// The names under which the library records costs in synthesized templates, for reviewers and the cost reports
/// (which share this file as source).
/// </summary>
internal static class CostMetadata
{
    /// <summary>Template metadata: the stack's worst-case monthly cost, its lines and ceilings.</summary>
    public const string WorstCaseKey = "AwsModelPlatform:WorstCaseMonthlyCost";

    /// <summary>Resource metadata on an endpoint or a compute environment: what it is sized to, and its worst case.</summary>
    public const string ResourceKey = "AwsModelPlatform:Cost";

    /// <summary>
    /// Resource metadata on a REST API: the EMF custom metrics its handlers write once it has traffic (<c>metrics</c>,
    /// plus <c>metricsPerTeam</c> for each team that calls it). They bill without a resource of their own.
    /// </summary>
    public const string CustomMetricsKey = "AwsModelPlatform:CustomMetrics";

    /// <summary>The type column of custom-metric cost lines (they have no CloudFormation type).</summary>
    public const string CustomMetricsType = "AWS::CloudWatch custom metrics (EMF)";
}
