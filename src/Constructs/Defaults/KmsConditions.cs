namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>IAM conditions that narrow a grant of the platform key to how it is really used.</summary>
public static class KmsConditions
{
    /// <summary>The key only on S3's behalf (SSE-KMS objects): the grantee itself can neither encrypt nor decrypt with it.</summary>
    public static Dictionary<string, object> ThroughS3(Stack stack) => new()
    {
        ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"s3.{stack.Region}.{stack.UrlSuffix}" },
    };
}
