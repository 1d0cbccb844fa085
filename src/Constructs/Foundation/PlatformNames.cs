using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>
/// Physical names the platform's constructs set. Every name starts with the platform's
/// <see cref="IModelPlatform.NamePrefix"/>, so the platform's trail logs data events by name prefix, from whichever
/// stack the bucket or function is in, without the stacks referencing each other; and every name is unique for its
/// (account, region, platform), in the scope AWS makes it unique in: a bucket name is global, a budget name is the
/// account's (<see cref="AccountWide"/>), a function name is the region's.
/// </summary>
public static class PlatformNames
{
    /// <summary>
    /// The name prefix of a platform: a slug of the project name and a hash of the project name, the stack's name and
    /// the platform's path (at most 16 characters), so two platforms differ even when they share a path (one app
    /// deployed twice under other stack names or project names).
    /// </summary>
    public static string Prefix(string projectName, IConstruct platform)
    {
        var slug = Regex.Replace(projectName.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        slug = slug.Length == 0 ? "amp" : slug[..Math.Min(9, slug.Length)].TrimEnd('-');
        return $"{slug}-{Hash($"{projectName}\n{Stack.Of(platform).StackName}\n{platform.Node.Path}", 6)}";
    }

    /// <summary>
    /// <c>{prefix}-{purpose}-{region}</c>: for resources whose name AWS makes unique per account, not per region (budgets,
    /// Cost Anomaly Detection monitors and subscriptions, a multi-region trail, whose name exists in every region), so
    /// the same platform deployed to a second region does not collide with the first. <paramref name="purpose"/> is 1 to
    /// 40 lowercase letters, digits or '-'.
    /// </summary>
    public static string AccountWide(IModelPlatform platform, IConstruct scope, string purpose)
    {
        CheckPurpose(purpose, 40);
        return $"{platform.NamePrefix}-{purpose}-{Stack.Of(scope).Region}";
    }

    /// <summary>
    /// <c>{prefix}-{purpose}-{hash}-{account}-{region}</c>: unique per construct, account and region, at most 63 characters.
    /// <paramref name="purpose"/> is 1 to 11 lowercase letters, digits or '-'.
    /// </summary>
    public static string Bucket(IModelPlatform platform, IConstruct owner, string purpose)
    {
        CheckPurpose(purpose, 11);
        return $"{platform.NamePrefix}-{purpose}-{Hash(owner.Node.Path, 4)}-{Aws.ACCOUNT_ID}-{Aws.REGION}";
    }

    /// <summary><c>{prefix}-{purpose}-{hash}</c>: unique per construct, at most 64 characters.</summary>
    public static string Function(IModelPlatform platform, IConstruct owner, string purpose)
    {
        CheckPurpose(purpose, 40);
        return $"{platform.NamePrefix}-{purpose}-{Hash(owner.Node.Path, 4)}";
    }

    /// <summary>A free text (a component name) as a name part: a lowercase slug of at most <paramref name="maxSlug"/> characters and a hash of the text, so two texts never give the same part.</summary>
    internal static string Part(string text, int maxSlug)
    {
        var slug = Regex.Replace(text.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        slug = slug[..Math.Min(maxSlug, slug.Length)].Trim('-');
        return slug.Length == 0 ? Hash(text, 4) : $"{slug}-{Hash(text, 4)}";
    }

    private static void CheckPurpose(string purpose, int max) =>
        Validate.That(Regex.IsMatch(purpose, $"^[a-z0-9][a-z0-9-]{{0,{max - 1}}}$"),
            $"PlatformNames: purpose '{purpose}' must be 1 to {max} lowercase letters, digits or '-'.");

    private static string Hash(string text, int length) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length].ToLowerInvariant();
}
