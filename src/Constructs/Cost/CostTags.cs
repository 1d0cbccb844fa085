namespace AwsModelPlatform.Constructs.Cost;

/// <summary>The cost-allocation tags every construct puts on its resources: <c>Project</c>, <c>Component</c> and <c>CostCenter</c>.</summary>
public static class CostTags
{
    /// <summary>Tag naming the project.</summary>
    public const string Project = "Project";
    /// <summary>Tag naming the platform component (foundation, inference, training...).</summary>
    public const string Component = "Component";
    /// <summary>Tag naming the cost center, when one is given.</summary>
    public const string CostCenter = "CostCenter";

    /// <summary>Tags every resource under <paramref name="scope"/>.</summary>
    public static void Apply(IConstruct scope, IModelPlatform platform, string component)
    {
        var tags = new Dictionary<string, string> { [Project] = platform.ProjectName, [Component] = component };
        if (platform.CostCenter is { } costCenter) tags[CostCenter] = costCenter;
        foreach (var (key, value) in tags) Tags.Of(scope).Add(key, value);
        Aspects.Of(scope).Add(new VpcEndpointTags(tags));
    }

    internal static void CheckValue(ConstructChecks check, string value, string prop) =>
        check.That(value.Length is > 0 and <= 256 && System.Text.RegularExpressions.Regex.IsMatch(value, @"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$"),
            $"{prop} = '{value}' cannot be an AWS tag value: use 1 to 256 letters, digits, spaces or _ . : / = + - @.");
}
