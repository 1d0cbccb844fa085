using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// A validated submission as AWS Batch's SubmitJob request: queue, overrides, the job environment
/// (<see cref="JobEnvironment"/>) and the tags the API's role may and must set (<see cref="JobTags"/>).
/// </summary>
internal sealed class SubmitJobBuilder(TrainingCatalog catalog)
{
    /// <summary>
    /// The SubmitJob request, or 413 <see cref="Problems.Types.JobTooLarge"/> when it exceeds Batch's payload limit (Batch would refuse it).
    /// </summary>
    public SubmitJobRequest BuildChecked(ValidatedSubmission s, string submissionId, IReadOnlyDictionary<string, string> ciphertexts, string caller)
    {
        var (output, checkpoint) = Locations(s.Name, submissionId);
        var request = Build(s, submissionId, ciphertexts, output, checkpoint, caller);
        if (BatchClient.Serialize(request).Length > BatchClient.MaxSubmitPayloadBytes)
            throw Problems.JobTooLarge("Command, hyperparameters and encrypted secrets together exceed AWS Batch's "
                + $"{(BatchClient.MaxSubmitPayloadBytes / 1024).ToString(CultureInfo.InvariantCulture)} KiB SubmitJob limit.");
        return request;
    }

    /// <summary>Where the job writes its output and checkpoints (none without a checkpoints bucket).</summary>
    public (string Output, string? Checkpoint) Locations(string name, string submissionId) =>
        (TrainingLayout.JobUri(catalog.OutputBucket, name, submissionId),
         catalog.CheckpointsBucket is { } cb ? TrainingLayout.JobUri(cb, name, submissionId) : null);

    public SubmitJobRequest Build(
        ValidatedSubmission s, string submissionId, IReadOnlyDictionary<string, string> ciphertexts, string output, string? checkpoint, string caller)
    {
        var env = new List<BatchKeyValue>
        {
            new(JobEnvironment.JobName, s.Name),
            new(JobEnvironment.SubmissionId, submissionId),
            new(JobEnvironment.OutputUri, output),
        };
        if (checkpoint is not null) env.Add(new(JobEnvironment.CheckpointUri, checkpoint));
        if (s.DatasetUri is not null) env.Add(new(JobEnvironment.DatasetUri, s.DatasetUri));
        if (s.Hyperparameters.Count > 0) env.Add(new(JobEnvironment.Hyperparameters, Json(s.Hyperparameters)));
        if (ciphertexts.Count > 0)
        {
            env.Add(new(JobEnvironment.SecretNames, string.Join(",", ciphertexts.Keys)));
            foreach (var (name, blob) in ciphertexts) env.Add(new(JobEnvironment.SecretPrefix + name, blob));
        }
        var resources = s.Gpus is { } g ? new[] { new BatchResourceRequirement("GPU", g.ToString(CultureInfo.InvariantCulture)) } : null;
        // Only keys of JobTags.Keys: the role may tag with no other (aws:TagKeys), and must tag with JobTags.TrainingJobs.
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [JobTags.TrainingJobs] = catalog.JobTag,
            [JobTags.Submission] = submissionId,
            [JobTags.Definition] = s.Definition.Name,
            [JobTags.Output] = output,
            [JobTags.Caller] = TagValue(caller),
            [JobTags.CallerHash] = JobVisibilityFilter.CallerHash(caller),
        };
        if (checkpoint is not null) tags[JobTags.Checkpoints] = checkpoint;

        var request = new SubmitJobRequest(s.Name, catalog.QueueFor(s.Definition), s.Definition.BatchName)
        {
            // No timeout unless asked: Batch's SubmitJob timeout overrides the definition's, which then applies.
            Timeout = s.MaxRuntimeSeconds is { } runtime ? new BatchJobTimeout(runtime) : null,
            Tags = tags,
        };
        if (!s.Definition.MultiNode)
        {
            return request with
            {
                ContainerOverrides = new BatchContainerOverrides { Command = s.Command, Environment = env, ResourceRequirements = resources },
            };
        }
        // The definition's node count is its default; torchrun would wait forever for nodes a resized job does not have.
        env.Add(new(JobEnvironment.Nodes, s.Nodes.ToString(CultureInfo.InvariantCulture)));
        return request with
        {
            NodeOverrides = new BatchNodeOverrides
            {
                NumNodes = s.Nodes == s.Definition.Nodes ? null : s.Nodes,
                NodePropertyOverrides =
                [
                    new BatchNodePropertyOverride("0:", new BatchContainerOverrides
                    {
                        Command = s.Command, Environment = env, ResourceRequirements = resources, InstanceType = s.InstanceType,
                    }),
                ],
            },
        };
    }

    private static string Json(SortedDictionary<string, string> map)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (k, v) in map) w.WriteString(k, v);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Batch tag values: at most 256 of letters, digits, spaces and <c>_ . : / = + - @</c>.</summary>
    private static string TagValue(string s)
    {
        var chars = s.Take(256)
            .Select(c => char.IsLetterOrDigit(c) || c is ' ' or '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@' ? c : '_')
            .ToArray();
        return new string(chars);
    }
}
