using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AwsModelPlatform.Constructs.Foundation;

/// <summary>
/// Physical names of the buckets and functions the platform's constructs create. Every name starts with the
/// platform's <see cref="IModelPlatform.NamePrefix"/>, so the platform's trail logs their data events by name
/// prefix, from whichever stack they are in, without the stacks referencing each other.
/// </summary>
public static class PlatformNames
{
    /// <summary>The name prefix of a platform: a slug of the project name and a hash of the platform's path (at most 16 characters).</summary>
    public static string Prefix(string projectName, IConstruct platform)
    {
        var slug = Regex.Replace(projectName.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        slug = slug.Length == 0 ? "amp" : slug[..Math.Min(9, slug.Length)].TrimEnd('-');
        return $"{slug}-{Hash(platform.Node.Path, 6)}";
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

    private static void CheckPurpose(string purpose, int max) =>
        Validate.That(Regex.IsMatch(purpose, $"^[a-z0-9][a-z0-9-]{{0,{max - 1}}}$"),
            $"PlatformNames: purpose '{purpose}' must be 1 to {max} lowercase letters, digits or '-'.");

    private static string Hash(string text, int length) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length].ToLowerInvariant();
}
