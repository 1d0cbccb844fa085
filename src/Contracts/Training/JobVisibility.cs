namespace AwsModelPlatform.Contracts;

/// <summary>
/// Which jobs a caller of the training API may list, describe and stop: the values of <c>Training:JobVisibility</c>.
/// The constructs' public <c>JobVisibility</c> names the same values.
/// </summary>
internal enum JobVisibility
{
    /// <summary>Only the jobs it submitted (by the job's <see cref="JobTags.CallerHash"/> tag); any other job is 404, as an unknown id is.</summary>
    Caller = 0,

    /// <summary>Every job of the queues, whoever submitted it.</summary>
    Shared = 1,
}
