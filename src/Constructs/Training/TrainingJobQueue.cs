using Amazon.CDK.AWS.Batch;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// A training job queue: the given compute environments in order, and job-state time limits that cancel a job waiting
/// in RUNNABLE too long for capacity, or for more than an environment can give, with that reason as its status reason.
/// </summary>
internal static class TrainingJobQueue
{
    public static JobQueue Create(Construct scope, string id, IEnumerable<ManagedEc2EcsComputeEnvironment> environments, int priority, int maxRunnableMinutes) =>
        new(scope, id, new JobQueueProps
        {
            Priority = priority,
            ComputeEnvironments = environments.Select((ce, i) => (IOrderedComputeEnvironment)new OrderedComputeEnvironment { ComputeEnvironment = ce, Order = i + 1 }).ToArray(),
            JobStateTimeLimitActions = new[]
            {
                JobStateTimeLimitActionsReason.INSUFFICIENT_INSTANCE_CAPACITY,
                JobStateTimeLimitActionsReason.COMPUTE_ENVIRONMENT_MAX_RESOURCE,
                JobStateTimeLimitActionsReason.JOB_RESOURCE_REQUIREMENT,
            }.Select(reason => (IJobStateTimeLimitAction)new JobStateTimeLimitAction
            {
                Action = JobStateTimeLimitActionsAction.CANCEL,
                State = JobStateTimeLimitActionsState.RUNNABLE,
                MaxTime = Duration.Minutes(maxRunnableMinutes),
                Reason = reason,
            }).ToArray(),
        });
}
