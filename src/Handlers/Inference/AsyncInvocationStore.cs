using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Inference;

/// <summary>The durable record of an accepted async invocation, kept in S3 beside its input.</summary>
public sealed record AsyncRecord(
    string Id, string Model, string EndpointName, string InputLocation, string? OutputLocation, string? FailureLocation,
    string? InferenceId, string Caller, DateTimeOffset CreatedAt, string? BodyDigest = null);

/// <summary>Where a submission's input is, and the digest of the submission that stored it (none: stored without one).</summary>
public sealed record StoredInput(string Location, string? BodyDigest);

/// <summary>What an output or failure object holds, when there is one.</summary>
public sealed record StoredObject(long Size, string? ContentType);

/// <summary>
/// The inputs and records of async invocations under <c>Inference:Async:Prefix</c> (<see cref="AsyncLayout"/>): the
/// request body, and the record, written with <c>If-None-Match: *</c> so it is created once and never overwritten. Both
/// are encrypted with the configured KMS key (or the bucket's default key). Each input carries the digest of its
/// submission in its metadata (<see cref="AsyncLayout.DigestMetadata"/>), so a retry can tell whether it asks for the same thing.
/// </summary>
internal sealed class AsyncInvocationStore(IAmazonS3 s3, IOptions<InferenceSettings> options)
{
    private readonly AsyncSettings _o = options.Value.Async;

    public string Bucket => _o.Bucket is { Length: > 0 } b ? b : throw Hosting.Problems.NotConfigured("Async invocations need Inference:Async:Bucket.");

    /// <summary>The user metadata that holds an input's <see cref="Digest"/>.</summary>
    public const string DigestMetadata = AsyncLayout.DigestMetadata;

    /// <summary>SHA-256 (hex) of content type, newline and body: what an idempotent retry must match.</summary>
    public static string Digest(string contentType, ReadOnlySpan<byte> body)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(contentType + "\n"));
        sha.AppendData(body);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public async Task<StoredInput> PutInputAsync(string id, byte[] body, string contentType, string digest, CancellationToken ct)
    {
        var key = AsyncLayout.InputKey(_o.Prefix, id);
        var put = new PutObjectRequest { BucketName = Bucket, Key = key, ContentType = contentType, InputStream = new MemoryStream(body, writable: false), IfNoneMatch = "*" };
        put.Metadata[DigestMetadata] = digest;
        Encrypt(put);
        var location = $"s3://{Bucket}/{key}";
        try
        {
            await s3.PutObjectAsync(put, ct);
            return new StoredInput(location, digest);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // Already stored by an earlier attempt of the same idempotent submission: its input is the one to use,
            // if it is the same submission (the caller compares digests).
            var head = await s3.GetObjectMetadataAsync(Bucket, key, ct);
            return new StoredInput(location, head.Metadata[DigestMetadata] is { Length: > 0 } stored ? stored : null);
        }
    }

    public async Task PutRecordAsync(AsyncRecord record, CancellationToken ct)
    {
        var put = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = AsyncLayout.RecordKey(_o.Prefix, record.Id),
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
        var key = AsyncLayout.RecordKey(_o.Prefix, id);
        try
        {
            using var response = await s3.GetObjectAsync(Bucket, key, ct);
            return await JsonSerializer.DeserializeAsync(response.ResponseStream, HandlerJsonContext.Default.AsyncRecord, ct);
        }
        catch (AmazonS3Exception e) when (Aws.S3Errors.MayBeMissing(e))
        {
            if (await Aws.S3Errors.IsMissingAsync(s3, Bucket, key, e, ct)) return null;
            throw;
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
            // A HEAD answer has no body to name NoSuchKey; the bucket is the configured one, which GetRecordAsync proved exists.
            return null;
        }
        catch (AmazonS3Exception e) when (Aws.S3Errors.MayBeMissing(e))
        {
            if (await Aws.S3Errors.IsMissingAsync(s3, bucket, key, e, ct)) return null;
            throw;
        }
    }

    /// <summary>The first <paramref name="bytes"/> bytes of an object; none for 0 (S3 refuses any range of an empty object with 416).</summary>
    public async Task<byte[]> ReadAsync(string s3Uri, long bytes, CancellationToken ct)
    {
        if (bytes <= 0) return [];
        var (bucket, key) = Parse(s3Uri);
        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(0, bytes - 1) }, ct);
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
