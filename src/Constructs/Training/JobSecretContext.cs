namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// The KMS encryption context of a job secret: the training handler encrypts every secret under
/// <c>aws-model-platform:job-name</c>, <c>aws-model-platform:submission</c> and <c>aws-model-platform:secret</c>,
/// and a job decrypts it under the same three. Grants of the platform key for secrets are limited to that shape.
/// </summary>
public static class JobSecretContext
{
    /// <summary>The key that names the job; present in every secret's context.</summary>
    public const string JobNameKey = "aws-model-platform:job-name";

    /// <summary>Every key of a secret's context.</summary>
    public static IReadOnlyList<string> Keys { get; } = new[] { JobNameKey, "aws-model-platform:submission", "aws-model-platform:secret" };

    /// <summary>The IAM condition: the job-name key present, and no key but the three.</summary>
    public static Dictionary<string, object> Condition() => new()
    {
        ["ForAnyValue:StringEquals"] = new Dictionary<string, object> { ["kms:EncryptionContextKeys"] = JobNameKey },
        ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["kms:EncryptionContextKeys"] = Keys.ToArray() },
    };

}
