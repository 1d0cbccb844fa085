using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>The durable record of an accepted async invocation, kept in S3 beside its input.</summary>
public sealed record AsyncRecord(
    string Id, string Model, string EndpointName, string InputLocation, string? OutputLocation, string? FailureLocation,
    string? InferenceId, string Caller, DateTimeOffset CreatedAt);

/// <summary>What an output or failure object holds, when there is one.</summary>
public sealed record StoredObject(long Size, string? ContentType);

/// <summary>
/// S3 layout under <c>Inference:Async:Prefix</c>: <c>inputs/{id}</c> (the request body) and <c>requests/{id}.json</c>
/// (the record, written with <c>If-None-Match: *</c> so it is created once and never overwritten). Both are
/// encrypted with the configured KMS key (or the bucket's default key).
/// </summary>
public sealed class AsyncInvocationStore(IAmazonS3 s3, IOptions<InferenceOptions> options)
{
    private readonly AsyncOptions _o = options.Value.Async;

    public string Bucket => _o.Bucket is { Length: > 0 } b ? b : throw Hosting.Problems.NotConfigured("Async invocations need Inference:Async:Bucket.");

    private string Key(string kind, string name) => $"{_o.Prefix.Trim('/')}/{kind}/{name}".TrimStart('/');

    public async Task<string> PutInputAsync(string id, byte[] body, string contentType, CancellationToken ct)
    {
        var key = Key("inputs", id);
        var put = new PutObjectRequest { BucketName = Bucket, Key = key, ContentType = contentType, InputStream = new MemoryStream(body, writable: false), IfNoneMatch = "*" };
        Encrypt(put);
        try
        {
            await s3.PutObjectAsync(put, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // Already stored by an earlier attempt of the same idempotent submission: its input is the one to use.
        }
        return $"s3://{Bucket}/{key}";
    }

    public async Task PutRecordAsync(AsyncRecord record, CancellationToken ct)
    {
        var put = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = Key("requests", record.Id + ".json"),
            ContentType = "application/json",
            InputStream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record, HandlerJsonContext.Default.AsyncRecord), writable: false),
            IfNoneMatch = "*",
        };
        Encrypt(put);
        try
        {
            await s3.PutObjectAsync(put, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // A concurrent attempt of the same idempotent submission recorded it first; the record is written once.
        }
    }

    public async Task<AsyncRecord?> GetRecordAsync(string id, CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(Bucket, Key("requests", id + ".json"), ct);
            return await JsonSerializer.DeserializeAsync(response.ResponseStream, HandlerJsonContext.Default.AsyncRecord, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<StoredObject?> HeadAsync(string s3Uri, CancellationToken ct)
    {
        var (bucket, key) = Parse(s3Uri);
        try
        {
            var head = await s3.GetObjectMetadataAsync(bucket, key, ct);
            return new StoredObject(head.ContentLength, head.Headers.ContentType);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<byte[]> ReadAsync(string s3Uri, long maxBytes, CancellationToken ct)
    {
        var (bucket, key) = Parse(s3Uri);
        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(0, maxBytes - 1) }, ct);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy, ct);
        return copy.ToArray();
    }

    public async Task<string> PresignAsync(string s3Uri)
    {
        var (bucket, key) = Parse(s3Uri);
        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.AddMinutes(_o.PresignMinutes),
            Protocol = s3.Config.ServiceURL is { } su && su.StartsWith("http://", StringComparison.Ordinal) ? Protocol.HTTP : Protocol.HTTPS,
        });
        return url;
    }

    private void Encrypt(PutObjectRequest put)
    {
        if (_o.KmsKeyId is { Length: > 0 } key)
        {
            put.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            put.ServerSideEncryptionKeyManagementServiceKeyId = key;
        }
    }

    public static (string Bucket, string Key) Parse(string s3Uri)
    {
        if (!s3Uri.StartsWith("s3://", StringComparison.Ordinal)) throw new FormatException($"Not an s3:// location: {s3Uri}");
        var rest = s3Uri[5..];
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1) throw new FormatException($"Not an s3://bucket/key location: {s3Uri}");
        return (rest[..slash], rest[(slash + 1)..]);
    }
}
