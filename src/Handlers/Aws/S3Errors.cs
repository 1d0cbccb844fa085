using System.Net;
using Amazon.S3;

namespace AwsModelPlatform.Handlers.Aws;

/// <summary>What S3's error answers mean for a read.</summary>
public static class S3Errors
{
    /// <summary>
    /// S3's answer to a GET of a key that is not there: 404 <c>NoSuchKey</c>, which S3 gives only to a caller that may list
    /// the key's prefix (the constructs grant it for every prefix the handler reads before it exists). A 403 is a denial
    /// and a 404 <c>NoSuchBucket</c> a misconfiguration: neither means "not there yet", so both stay errors (502).
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html ("Permissions")
    /// </summary>
    public static bool IsMissingKey(AmazonS3Exception e) => e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey";
}
