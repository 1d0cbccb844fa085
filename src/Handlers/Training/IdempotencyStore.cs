using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// What an <c>Idempotency-Key</c> submitted: written with <c>If-None-Match: *</c> before SubmitJob (exactly one request
/// owns a key), then completed with the job id (<c>If-Match</c> on its ETag) before the 201 — or, when Batch definitely
/// refused the job (a 4xx other than throttling), marked failed (<c>If-Match</c> again) so that a retry with the same body
/// takes the record over at once. Pending: neither <see cref="JobId"/> nor <see cref="Failure"/>. Holds no plaintext
/// secret: only the ciphertexts that went to Batch.
/// </summary>
public sealed record SubmissionRecord(
    string Fingerprint, string JobName, string Definition, string SubmissionId, DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string> SecretCiphertexts, string OutputUri, string? CheckpointUri)
{
    public string? JobId { get; init; }
    public string? JobArn { get; init; }

    /// <summary>Set when Batch refused the submission with a definite 4xx: no job exists for it.</summary>
    public SubmissionFailure? Failure { get; init; }
}

/// <summary>Why Batch refused a submission: the problem the request was answered with (its HTTP status, type and detail).</summary>
public sealed record SubmissionFailure(int Status, string Type, string? Detail, DateTimeOffset FailedAt);

public sealed record StoredSubmission(SubmissionRecord Record, string ETag);

internal sealed class IdempotencyStore(IAmazonS3 s3, TrainingCatalog catalog, IOptions<TrainingSettings> options)
{
    /// <summary>Keys are per caller: one caller's key never finds (or blocks) another caller's submission.</summary>
    public string KeyFor(string caller, string idempotencyKey)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caller + "\n" + idempotencyKey)));
        return TrainingLayout.IdempotencyRecordKey(options.Value.StatePrefix, digest);
    }

    public async Task<StoredSubmission?> GetAsync(string key, CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(catalog.StateBucket, key, ct);
            var record = await JsonSerializer.DeserializeAsync(response.ResponseStream, HandlerJsonContext.Default.SubmissionRecord, ct)
                ?? throw new InvalidDataException($"Idempotency record {key} is empty.");
            return new StoredSubmission(record, response.ETag);
        }
        catch (AmazonS3Exception e) when (Aws.S3Errors.MayBeMissing(e))
        {
            if (await Aws.S3Errors.IsMissingAsync(s3, catalog.StateBucket, key, e, ct)) return null;
            throw;
        }
    }

    /// <summary>Creates the record; null when another request created it first (412 from the conditional write).</summary>
    public async Task<string?> TryCreateAsync(string key, SubmissionRecord record, CancellationToken ct)
    {
        try
        {
            var put = Put(key, record);
            put.IfNoneMatch = "*";
            var response = await s3.PutObjectAsync(put, ct);
            return response.ETag;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    /// <summary>Replaces the record if it is still at <paramref name="etag"/>; the new ETag, or null when it changed meanwhile.</summary>
    public async Task<string?> TryReplaceAsync(string key, SubmissionRecord record, string etag, CancellationToken ct)
    {
        try
        {
            var put = Put(key, record);
            put.IfMatch = etag;
            return (await s3.PutObjectAsync(put, ct)).ETag;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    private PutObjectRequest Put(string key, SubmissionRecord record) => new()
    {
        BucketName = catalog.StateBucket,
        Key = key,
        ContentType = "application/json",
        InputStream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record, HandlerJsonContext.Default.SubmissionRecord), writable: false),
        ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
        ServerSideEncryptionKeyManagementServiceKeyId = catalog.KeyId,
    };
}
