using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>What S3's error answers mean for a read.</summary>
public static class S3Errors
{
    /// <summary>
    /// S3's answer to a GET of a key that is not there: 404 <c>NoSuchKey</c>, which S3 gives only to a caller that may list
    /// the bucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions"). A 404
    /// <c>NoSuchBucket</c> is a misconfiguration, not "not there yet": it stays an error (502).
    /// </summary>
    public static bool IsMissingKey(AmazonS3Exception e) => e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey";

    /// <summary>A failed read that may mean a missing key: a 404, or a 403 S3 gives where it would not confirm the key is missing.</summary>
    public static bool MayBeMissing(AmazonS3Exception e) => e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden;

    /// <summary>
    /// Whether a failed read of <paramref name="key"/> means the key is not there. A 404 <c>NoSuchKey</c> says so. A 403
    /// (or a HEAD's bodiless 404) may be a missing key that S3 would not confirm: the constructs grant
    /// <c>s3:ListBucket</c> only with an <c>s3:prefix</c> condition on the prefixes the handler reads before they exist,
    /// and AWS does not document which prefix S3 judges that implicit check with. Listing exactly the key
    /// (<c>ListObjectsV2</c>, <c>Prefix</c> = the key) is judged with <c>s3:prefix</c> = the key, as documented
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html), so it tells the two apart at the
    /// cost of one call, and only on this path. Refused, or listing the key, the read was a real denial.
    /// </summary>
    public static async Task<bool> IsMissingAsync(IAmazonS3 s3, string bucket, string key, AmazonS3Exception e, CancellationToken ct)
    {
        if (IsMissingKey(e)) return true;
        if (!MayBeMissing(e)) return false;
        try
        {
            var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = key, MaxKeys = 1 }, ct);
            return !(listing.S3Objects ?? []).Any(o => o.Key == key);
        }
        catch (AmazonS3Exception)
        {
            return false;
        }
    }
}
