using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>What the strict S3 did with one read of a missing key: the key, IAM's decision on listing it, the status sent.</summary>
public sealed record MissingKeyRead(string Method, string Bucket, string Key, PolicyDecision? ListDecision, int Status)
{
    public override string ToString() => $"{Method} s3://{Bucket}/{Key} -> {Status} (ListBucket: {ListDecision?.Result ?? "not asked"} {ListDecision?.Detail})";
}

/// <summary>
/// S3 as the handler meets it in AWS, in front of moto. moto answers a GET or HEAD of a missing key with 404 whatever the
/// caller may list; S3 answers 404 only to a caller that may <c>s3:ListBucket</c> the bucket, and 403 AccessDenied to any
/// other (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, API_HeadObject.html, "Permissions").
/// Every request goes to moto unchanged, with the caller's own signature (moto still authenticates it and judges the
/// object action against the user's policy); when moto says a key is missing and the caller is the handler user, the
/// <see cref="PolicySimulator"/> decides <c>s3:ListBucket</c> on the bucket with the key as <c>s3:prefix</c>, the context
/// S3 judges that listing permission with (not documented by AWS; Ceph's RGW reproduces AWS's answer so,
/// https://github.com/ceph/ceph/pull/68577), and a refusal becomes S3's 403.
/// </summary>
public sealed partial class StrictS3 : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _moto;
    private readonly PolicySimulator _iam;
    private readonly string _judgedKeyId;
    private readonly IReadOnlySet<string> _buckets;

    /// <summary>Every read of a missing key, in order.</summary>
    public ConcurrentQueue<MissingKeyRead> MissingKeyReads { get; } = new();

    public Uri Url { get; }

    private StrictS3(WebApplication app, Uri url, MotoAccount account, PolicySimulator iam, IEnumerable<string> buckets)
    {
        (_app, Url, _iam, _judgedKeyId) = (app, url, iam, account.HandlerKey.Id);
        _buckets = buckets.ToHashSet();
        // No decompression, no redirects, no cookies: the answer goes back to the caller byte for byte.
        _moto = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = account.Moto.Url,
        };
    }

    /// <summary>Starts the stand-in; <paramref name="buckets"/> are the account's buckets (a HEAD answer carries no error code to tell a missing bucket from a missing key).</summary>
    public static async Task<StrictS3> StartAsync(MotoAccount account, PolicySimulator iam, IEnumerable<string> buckets)
    {
        var (app, url) = TestServers.Create();
        var s3 = new StrictS3(app, url, account, iam, buckets);
        app.Map("/{**path}", s3.HandleAsync);
        await app.StartAsync();
        return s3;
    }

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Expect", "Keep-Alive" };

    private async Task HandleAsync(HttpContext http)
    {
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy);
        var body = copy.ToArray();

        // The request exactly as signed: same path and query, same headers, the Host the caller signed.
        var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        using var forward = new HttpRequestMessage(new HttpMethod(http.Request.Method), target.TrimStart('/'));
        forward.Headers.Host = http.Request.Host.Value;
        if (body.Length > 0 || http.Request.ContentLength is not null) forward.Content = new ByteArrayContent(body);
        foreach (var (name, values) in http.Request.Headers)
        {
            if (NotForwarded.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
                forward.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        using var answer = await _moto.SendAsync(forward, HttpCompletionOption.ResponseContentRead);
        var answerBody = await answer.Content.ReadAsByteArrayAsync();

        if ((int)answer.StatusCode == 404 && http.Request.Method is "GET" or "HEAD" && ObjectOf(http.Request) is var (bucket, key) && key.Length > 0
            && MissingKey(http.Request.Method, bucket, answerBody))
        {
            var decision = CallerKeyId(http.Request) == _judgedKeyId
                ? _iam.Decide("s3:ListBucket", $"arn:aws:s3:::{bucket}", new JsonObject { ["s3:prefix"] = key })
                : null;
            if (decision is { Allowed: false })
            {
                MissingKeyReads.Enqueue(new MissingKeyRead(http.Request.Method, bucket, key, decision, 403));
                await AccessDeniedAsync(http);
                return;
            }
            MissingKeyReads.Enqueue(new MissingKeyRead(http.Request.Method, bucket, key, decision, 404));
        }

        http.Response.StatusCode = (int)answer.StatusCode;
        foreach (var header in answer.Headers.Concat(answer.Content.Headers))
        {
            if (NotForwarded.Contains(header.Key) || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            http.Response.Headers[header.Key] = header.Value.ToArray();
        }
        if (answer.Content.Headers.ContentLength is { } length) http.Response.ContentLength = length;
        if (http.Request.Method != "HEAD") await http.Response.Body.WriteAsync(answerBody);
    }

    /// <summary>A GET says which 404 it is; a HEAD has no body, so a known bucket means the key is what is missing.</summary>
    private bool MissingKey(string method, string bucket, byte[] answerBody) =>
        method == "HEAD" ? _buckets.Contains(bucket) : System.Text.Encoding.UTF8.GetString(answerBody).Contains("<Code>NoSuchKey</Code>", StringComparison.Ordinal);

    /// <summary>S3's answer to a read it may not confirm is missing: 403 AccessDenied (a HEAD carries no body).</summary>
    private static async Task AccessDeniedAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        http.Response.StatusCode = 403;
        http.Response.Headers["x-amz-request-id"] = requestId;
        if (http.Request.Method == "HEAD") return;
        http.Response.ContentType = "application/xml";
        await http.Response.WriteAsync($"""<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>{requestId}</RequestId></Error>""");
    }

    /// <summary>Bucket and key of a path-style object request (<c>/bucket/key</c>); the key is empty for a bucket request.</summary>
    private static (string Bucket, string Key)? ObjectOf(HttpRequest request)
    {
        var path = request.Path.Value?.TrimStart('/') ?? "";
        if (path.Length == 0) return null;
        var slash = path.IndexOf('/');
        return slash < 0 ? (path, "") : (path[..slash], Uri.UnescapeDataString(path[(slash + 1)..]));
    }

    /// <summary>The access key id of a SigV4 request, from the Authorization header or a presigned URL's query.</summary>
    private static string? CallerKeyId(HttpRequest request)
    {
        var credential = request.Headers.Authorization.ToString() is { Length: > 0 } authorization
            ? Credential().Match(authorization).Groups[1].Value
            : request.Query["X-Amz-Credential"].ToString();
        return credential.Split('/')[0] is { Length: > 0 } id ? id : null;
    }

    [GeneratedRegex("Credential=([^,\\s]+)")]
    private static partial Regex Credential();

    public async ValueTask DisposeAsync()
    {
        _moto.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
