using System.Text.RegularExpressions;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>The <c>Idempotency-Key</c> request header of the routes that create something (async invocations, training jobs).</summary>
public static partial class IdempotencyKey
{
    /// <summary>The header's name.</summary>
    public const string Header = "Idempotency-Key";

    /// <summary>
    /// The key, or null without the header; 400 unless it is one value of 1-255 printable ASCII characters. Several
    /// header lines would be joined with commas into one key, and an empty one would silently not be idempotent.
    /// </summary>
    public static string? From(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var keys)) return null;
        if (keys.Count != 1 || keys[0] is not { } key || !Valid().IsMatch(key))
            throw Problems.BadRequest($"{Header} must be one value of 1-255 printable ASCII characters.");
        return key;
    }

    // \z, not $: $ also matches before a final "\n".
    [GeneratedRegex("^[\\x21-\\x7E]{1,255}\\z")]
    private static partial Regex Valid();
}
