using System.Security.Cryptography;
using System.Text;
using AwsModelPlatform.Handlers.Aws;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// Which jobs a caller may list, describe and stop (<see cref="TrainingCatalog.JobVisibility"/>). Shared: every job. Caller: the
/// jobs whose <see cref="JobTags.CallerHash"/> tag is the hash of this exact caller. The readable <see cref="JobTags.Caller"/> tag
/// (sanitized and cut, so not unique) never decides.
/// </summary>
internal sealed class JobVisibilityFilter(TrainingCatalog catalog)
{
    /// <summary>Whether every caller sees every job, so nothing needs to be described to filter a listing.</summary>
    public bool IsShared => catalog.JobVisibility == JobVisibility.Shared;

    public bool IsVisibleTo(BatchJobDetail job, string caller) =>
        IsShared || job.Tags?.GetValueOrDefault(JobTags.CallerHash) == CallerHash(caller);

    /// <summary>
    /// The <see cref="JobTags.CallerHash"/> value: lowercase hex SHA-256 of the caller's UTF-8 bytes (Batch's tag charset, 64 characters).
    /// </summary>
    public static string CallerHash(string caller) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caller)));
}
