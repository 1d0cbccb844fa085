using System.Security.Cryptography;
using Amazon.Runtime.Signing;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>
/// Signs every request with SigV4 by AWSSDK.Core's <see cref="AWSSigV4Signer"/>: the canonical request, the signing key
/// and the signature are the SDK's. This handler is only the plumbing around it, the part of the SDK's
/// <c>SigV4SigningHandler</c> that profiling showed to be costly on the hot path (docs/benchmarks.md):
/// <list type="bullet">
/// <item>the payload hash is the <c>x-amz-content-sha256</c> header when the caller set it (<see cref="SetPayloadHash"/>:
/// our clients hash the bytes they already hold), so the body is not copied into a buffer to be hashed again;</item>
/// <item>the signing headers are set on the request headers only; the SDK handler first removes each from the
/// content headers too, and for <c>Authorization</c> that throws and catches an <see cref="InvalidOperationException"/>
/// on every request;</item>
/// <item>the parameters are the handler's own, not copied and looked up in the request's options per request.</item>
/// </list>
/// What is signed is unchanged: the request's headers and content headers (values trimmed and joined with ", ",
/// as the SDK handler does), host, <c>x-amz-date</c> and the payload hash; a stale security token is dropped first.
/// Retries must sit above this handler (ours do: the callers' resilience pipelines build a new request per attempt),
/// and redirects are not followed below it (<see cref="AwsClientFactory"/> turns them off).
/// </summary>
public sealed class SigningHandler : DelegatingHandler
{
    public const string ContentSha256Header = "x-amz-content-sha256";
    private const string SecurityTokenHeader = "x-amz-security-token";

    private readonly AWSSigV4Parameters _parameters;

    /// <param name="parameters">Credentials, region and signing name; <c>SignPayload</c> must be true (the body hash is always signed).</param>
    public SigningHandler(AWSSigV4Parameters parameters, HttpMessageHandler innerHandler) : base(innerHandler)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (string.IsNullOrEmpty(parameters.Service)) throw new ArgumentException("Service must be set.", nameof(parameters));
        if (!parameters.SignPayload) throw new ArgumentException("This handler always signs the payload.", nameof(parameters));
        if (parameters.SignedAt is not null) throw new ArgumentException("Leave SignedAt unset: every request is signed at its own time.", nameof(parameters));
        _parameters = parameters;
    }

    /// <summary>Sets <c>x-amz-content-sha256</c> to the SHA-256 of <paramref name="body"/>, the bytes the request's content will send.</summary>
    public static void SetPayloadHash(HttpRequestMessage request, ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        request.Headers.Remove(ContentSha256Header);
        request.Headers.TryAddWithoutValidation(ContentSha256Header, Convert.ToHexStringLower(hash));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true } uri)
            throw new InvalidOperationException("The request URI must be absolute: set HttpClient.BaseAddress or use an absolute URI.");
        request.Headers.Remove(SecurityTokenHeader);
        var signing = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = uri };
        foreach (var header in request.Headers) signing.Headers[header.Key] = Join(header.Value);
        if (request.Content is { } content)
        {
            foreach (var header in content.Headers)
            {
                var value = Join(header.Value);
                signing.Headers[header.Key] = signing.Headers.TryGetValue(header.Key, out var existing) ? existing + "," + value : value;
            }
            if (!signing.Headers.TryGetValue(ContentSha256Header, out var hash) || string.IsNullOrWhiteSpace(hash))
                signing.Headers[ContentSha256Header] = await HashAsync(content, cancellationToken).ConfigureAwait(false);
        }

        var signed = await AWSSigV4Signer.SignAsync(signing, _parameters, cancellationToken).ConfigureAwait(false);
        foreach (var header in signed.Headers)
        {
            request.Headers.Remove(header.Key);
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A body nobody hashed (no <c>x-amz-content-sha256</c>): buffered so it can be read again when sent, and hashed.</summary>
    private static async Task<string> HashAsync(HttpContent content, CancellationToken ct)
    {
        await content.LoadIntoBufferAsync(ct).ConfigureAwait(false);
        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var hash = await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false);
        if (stream.CanSeek) stream.Position = 0;
        return Convert.ToHexStringLower(hash);
    }

    private static string Join(IEnumerable<string> values)
    {
        string? single = null;
        List<string>? many = null;
        foreach (var v in values)
        {
            var trimmed = v?.Trim() ?? "";
            if (single is null) single = trimmed;
            else (many ??= [single]).Add(trimmed);
        }
        return many is null ? single ?? "" : string.Join(", ", many);
    }
}
