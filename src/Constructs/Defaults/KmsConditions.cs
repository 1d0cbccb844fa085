namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>IAM conditions that narrow a grant of the platform key to how it is really used.</summary>
internal static class KmsConditions
{
    /// <summary>The key only on S3's behalf (SSE-KMS objects): the grantee itself can neither encrypt nor decrypt with it.</summary>
    public static Dictionary<string, object> ThroughS3(Stack stack) => new()
    {
        ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"s3.{stack.Region}.{stack.UrlSuffix}" },
    };

    /// <summary>
    /// The key only under a job secret's encryption context (the training handler's, <c>JobSecretContext</c>): the
    /// job-name key present, and no key but the secret context's three.
    /// </summary>
    public static Dictionary<string, object> JobSecrets() => new()
    {
        ["ForAnyValue:StringEquals"] = new Dictionary<string, object> { ["kms:EncryptionContextKeys"] = JobSecretContext.JobNameKey },
        ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["kms:EncryptionContextKeys"] = JobSecretContext.Keys.ToArray() },
    };
}
