using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>A submission to AWS Batch under a given submission id and secret ciphertexts, logged once accepted.</summary>
internal sealed partial class JobSubmitter(BatchGateway batch, SubmitJobBuilder builder, ILogger logger)
{
    /// <summary>
    /// Submits the job; <paramref name="refused"/> runs when Batch definitely refused it (see <see cref="BatchGateway.SubmitJobAsync"/>).
    /// </summary>
    public async Task<SubmittedJob> SubmitAsync(
        ValidatedSubmission s, string submissionId, IReadOnlyDictionary<string, string> ciphertexts, string caller, CancellationToken ct,
        Func<Problem, Task>? refused = null)
    {
        var request = builder.BuildChecked(s, submissionId, ciphertexts, caller);
        var response = await batch.SubmitJobAsync(request, refused, ct);
        LogSubmitted(logger, response.JobId, s.Name, s.Definition.Name, s.Nodes, s.Gpus ?? 0, s.Secrets.Count, caller);
        var (output, checkpoint) = builder.Locations(s.Name, submissionId);
        return new SubmittedJob(response.JobId, s.Name, s.Definition.Name, output, checkpoint);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "training job {JobId} submitted: name={JobName} definition={Definition} nodes={Nodes} gpus={Gpus} "
            + "secrets={SecretCount} caller={Caller}")]
    private static partial void LogSubmitted(
        ILogger logger, string jobId, string jobName, string definition, int nodes, int gpus, int secretCount, string caller);
}
