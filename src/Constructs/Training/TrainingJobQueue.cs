using Amazon.CDK.AWS.Batch;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// A training job queue: the given compute environments in order, and job-state time limits that cancel a job that
/// has blocked the head of the queue in RUNNABLE too long for want of capacity, or for asking more than an environment
/// can give; the cancelled job ends FAILED with <see cref="TimeLimitCancelReasonPrefix"/> and that reason as its status reason.
/// </summary>
internal static class TrainingJobQueue
{
    /// <summary>
    /// How the status reason of a job cancelled by a job-state time limit begins; the limit's reason follows, e.g.
    /// <c>Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY</c> (AWS Batch User
    /// Guide: https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable_capacity.html and
    /// https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable_misconfiguration.html). A cancelled job
    /// ends FAILED (https://docs.aws.amazon.com/batch/latest/APIReference/API_CancelJob.html).
    /// </summary>
    public const string TimeLimitCancelReasonPrefix = "Canceled by JobStateTimeLimit action due to reason: ";

    /// <summary>The reasons a time limit acts on: the only three Batch supports for ECS queues (the status reason while the job blocks the queue starts with them).</summary>
    public static readonly JobStateTimeLimitActionsReason[] Reasons =
    {
        JobStateTimeLimitActionsReason.INSUFFICIENT_INSTANCE_CAPACITY,
        JobStateTimeLimitActionsReason.COMPUTE_ENVIRONMENT_MAX_RESOURCE,
        JobStateTimeLimitActionsReason.JOB_RESOURCE_REQUIREMENT,
    };

    public static JobQueue Create(Construct scope, string id, IEnumerable<ManagedEc2EcsComputeEnvironment> environments, int priority, int maxRunnableSeconds) =>
        new(scope, id, new JobQueueProps
        {
            Priority = priority,
            ComputeEnvironments = environments.Select((ce, i) => (IOrderedComputeEnvironment)new OrderedComputeEnvironment { ComputeEnvironment = ce, Order = i + 1 }).ToArray(),
            JobStateTimeLimitActions = Reasons.Select(reason => (IJobStateTimeLimitAction)new JobStateTimeLimitAction
            {
                Action = JobStateTimeLimitActionsAction.CANCEL,
                State = JobStateTimeLimitActionsState.RUNNABLE,
                MaxTime = Duration.Seconds(maxRunnableSeconds),
                Reason = reason,
            }).ToArray(),
        });
}
