namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// Which jobs a caller of the training API may list, describe and stop (<c>Training__JobVisibility</c> of the handler).
/// Shared by the construct and the handler (plain enum, no CDK types).
/// </summary>
public enum JobVisibility
{
    /// <summary>Only the jobs it submitted (by the job's <c>aws-model-platform:caller-hash</c> tag, the SHA-256 of the exact caller); any other job is 404, as an unknown id is. The default.</summary>
    Caller = 0,

    /// <summary>Every job of the queue, whoever submitted it.</summary>
    Shared = 1,
}
