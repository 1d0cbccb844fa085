using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// An API key as a client holds it: <c>amp_</c>, a key id (12 characters of base32, 60 bits, not secret: it names the key in
/// listings, logs and the store) and a secret (43 characters of base64url, 256 random bits). Only a keyed hash of the secret
/// is ever stored (<see cref="KeyMac"/>); the key itself is shown once, at creation.
/// </summary>
public readonly record struct ApiKey(string KeyId, string Secret)
{
    /// <summary>What every key starts with: it lets secret scanners and people recognize one.</summary>
    public const string Prefix = "amp_";

    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    private const int KeyIdLength = 12;
    private const int SecretLength = 43;

    /// <summary>The length of every key's text.</summary>
    public const int Length = 4 + KeyIdLength + 1 + SecretLength;

    /// <summary>A new key from the operating system's cryptographic random generator.</summary>
    public static ApiKey New()
    {
        var id = string.Create(KeyIdLength, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++) chars[i] = Base32[RandomNumberGenerator.GetInt32(Base32.Length)];
        });
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new ApiKey(id, secret);
    }

    /// <summary>The key as the client sends it.</summary>
    public override string ToString() => $"{Prefix}{KeyId}_{Secret}";

    /// <summary>Whether <paramref name="text"/> is a key id: 12 characters of the base32 alphabet.</summary>
    public static bool IsKeyId(string? text) => text is { Length: KeyIdLength } && text.All(Base32.Contains);

    /// <summary>Reads a key strictly: the exact length, prefix, separator and alphabets; anything else is not a key.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ApiKey key)
    {
        key = default;
        if (text is not { Length: Length } || !text.StartsWith(Prefix, StringComparison.Ordinal) || text[Prefix.Length + KeyIdLength] != '_') return false;
        var id = text.AsSpan(Prefix.Length, KeyIdLength);
        var secret = text.AsSpan(Prefix.Length + KeyIdLength + 1);
        foreach (var c in id) if (!Base32.Contains(c)) return false;
        foreach (var c in secret) if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        key = new ApiKey(id.ToString(), secret.ToString());
        return true;
    }

    /// <summary>
    /// The key a request carries, as OpenAI clients send it (<c>Authorization: Bearer &lt;key&gt;</c>) or as API Gateway's own
    /// keys travel (<c>x-api-key</c>); null when it carries none. A request that carries two different keys is refused
    /// (<see cref="KeyPresentation.Conflicting"/>): which one to bill would be a guess.
    /// </summary>
    public static KeyPresentation FromHeaders(string? authorization, string? xApiKey)
    {
        string? bearer = null;
        if (!string.IsNullOrEmpty(authorization))
        {
            if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return KeyPresentation.Malformed;
            bearer = authorization["Bearer ".Length..].Trim();
        }
        var header = string.IsNullOrEmpty(xApiKey) ? null : xApiKey.Trim();
        if (bearer is not null && header is not null && !string.Equals(bearer, header, StringComparison.Ordinal)) return KeyPresentation.Conflicting;
        var text = bearer ?? header;
        if (text is null) return KeyPresentation.Missing;
        return TryParse(text, out var key) ? new KeyPresentation(key) : KeyPresentation.Malformed;
    }
}

/// <summary>What a request presented: a well-formed key, or why there is none to check.</summary>
public sealed record KeyPresentation(ApiKey? Key, string? Problem = null)
{
    /// <summary>No <c>Authorization</c> and no <c>x-api-key</c> header.</summary>
    public static readonly KeyPresentation Missing = new(null, "The request carries no API key: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");

    /// <summary>A header that is not an API key of this platform.</summary>
    public static readonly KeyPresentation Malformed = new(null, $"The API key is malformed: a key is '{ApiKey.Prefix}' followed by {ApiKey.Length - ApiKey.Prefix.Length} characters, sent as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");

    /// <summary>Two different keys in one request.</summary>
    public static readonly KeyPresentation Conflicting = new(null, "The request carries two different API keys (Authorization and x-api-key): send one.");
}
