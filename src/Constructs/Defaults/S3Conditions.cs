namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>IAM conditions that narrow an S3 grant to the keys a role really reads.</summary>
internal static class S3Conditions
{
    /// <summary>
    /// <c>s3:ListBucket</c> only for <paramref name="prefixes"/> (each ending in <c>/</c>): a role that reads keys which may
    /// not exist yet needs it, because S3 answers a GET or HEAD of a missing key with 404 only to a caller that may list
    /// the bucket, and with 403 AccessDenied to any other
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, .../API_HeadObject.html, "Permissions").
    /// S3 judges that listing permission with the requested key as <c>s3:prefix</c> (AWS does not document this; Ceph's
    /// RGW reproduces AWS's answer that way, https://github.com/ceph/ceph/pull/68577; docs/deploy.md lists it as unverified),
    /// so the condition lets the role tell "missing" from "denied" under these prefixes and list nothing else.
    /// </summary>
    public static Dictionary<string, object> ListOnly(IEnumerable<string> prefixes) => new()
    {
        ["StringLike"] = new Dictionary<string, object> { ["s3:prefix"] = prefixes.Select(p => p + "*").ToArray() },
    };
}
