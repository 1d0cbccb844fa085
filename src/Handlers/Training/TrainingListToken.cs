namespace AwsModelPlatform.Handlers.Training;

/// <summary>
/// Where a listing goes on: the index of a queue in <see cref="TrainingCatalog.JobQueues"/> and Batch's own token
/// within it (null: that queue from its start). The API lists the main queue, then the multi-node queue, so the
/// <c>nextToken</c> it returns carries both, as <c>{queue}.{Batch's token}</c>; callers treat it as opaque.
/// </summary>
public readonly record struct TrainingListToken(int Queue, string? BatchToken)
{
    /// <summary>The <c>nextToken</c> to hand out.</summary>
    public string Encode() => $"{Queue}.{BatchToken}";

    /// <summary>
    /// Reads a <c>nextToken</c> the API returned for these <paramref name="queues"/>: anything else (another shape, a
    /// queue that is not configured, the first queue without Batch's token, which the API never hands out) is false.
    /// Batch's part is checked by Batch, which refuses a token it did not issue.
    /// </summary>
    public static bool TryParse(string text, int queues, out TrainingListToken token)
    {
        token = default;
        if (text.Length < 2 || text[1] != '.' || text[0] is < '0' or > '9') return false;
        var queue = text[0] - '0';
        var batch = text[2..];
        if (queue >= queues || (queue == 0 && batch.Length == 0)) return false;
        token = new TrainingListToken(queue, batch.Length == 0 ? null : batch);
        return true;
    }
}
