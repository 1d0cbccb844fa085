namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// The training API's operations: the <c>Operation</c> dimension of its metrics (namespace <c>AwsModelPlatform/Training</c>),
/// one per route; <see cref="TrainingApi.MetricOfOperation"/> maps each to the handler's value.
/// </summary>
public enum TrainingApiOperation
{
    /// <summary><c>POST /v1/training-jobs</c>.</summary>
    Submit,

    /// <summary><c>GET /v1/training-jobs</c>.</summary>
    List,

    /// <summary><c>GET /v1/training-jobs/{id}</c>.</summary>
    Describe,

    /// <summary><c>DELETE /v1/training-jobs/{id}</c>.</summary>
    Stop,
}
