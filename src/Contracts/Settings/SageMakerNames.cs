using System.Text.RegularExpressions;

namespace AwsModelPlatform.Contracts;

/// <summary>SageMaker's rule for endpoint and inference component names: 1-63 letters, digits and hyphens, no hyphen first or last.</summary>
internal static class SageMakerNames
{
    /// <summary>Whether <paramref name="name"/> is one.</summary>
    public static bool IsValid(string? name) => name is not null && Pattern.IsMatch(name);

    // Built once, not generated: the regex generator documents its method without a summary, which the package's
    // XML documentation would then carry.
    private static readonly Regex Pattern = new("^[A-Za-z0-9](-*[A-Za-z0-9]){0,62}\\z", RegexOptions.CultureInvariant);
}
