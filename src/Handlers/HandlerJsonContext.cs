using System.Text.Json.Serialization;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Inference;
using AwsModelPlatform.Handlers.Training;

namespace AwsModelPlatform.Handlers;

/// <summary>Every type this API puts on the wire or in S3 (source-generated: AOT-safe, no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(Health))]
[JsonSerializable(typeof(AsyncAccepted))]
[JsonSerializable(typeof(AsyncStatus))]
[JsonSerializable(typeof(AsyncRecord))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(OpenAiErrorEnvelope))]
[JsonSerializable(typeof(TrainingJobRequest))]
[JsonSerializable(typeof(TrainingJobSubmitted))]
[JsonSerializable(typeof(TrainingJobList))]
[JsonSerializable(typeof(TrainingJobDetails))]
[JsonSerializable(typeof(TrainingJobStopped))]
[JsonSerializable(typeof(SubmissionRecord))]
[JsonSerializable(typeof(SubmitJobRequest))]
[JsonSerializable(typeof(SubmitJobResponse))]
[JsonSerializable(typeof(ListJobsRequest))]
[JsonSerializable(typeof(ListJobsResponse))]
[JsonSerializable(typeof(DescribeJobsRequest))]
[JsonSerializable(typeof(DescribeJobsResponse))]
[JsonSerializable(typeof(StopJobRequest))]
[JsonSerializable(typeof(UpdateInferenceComponentRuntimeConfigRequest))]
[JsonSerializable(typeof(UpdateInferenceComponentRuntimeConfigResponse))]
[JsonSerializable(typeof(DescribeInferenceComponentRequest))]
[JsonSerializable(typeof(DescribeInferenceComponentResponse))]
[JsonSerializable(typeof(UpdateEndpointWeightsAndCapacitiesRequest))]
[JsonSerializable(typeof(UpdateEndpointWeightsAndCapacitiesResponse))]
[JsonSerializable(typeof(DescribeEndpointRequest))]
[JsonSerializable(typeof(DescribeEndpointResponse))]
internal sealed partial class HandlerJsonContext : JsonSerializerContext;

public sealed record Health([property: JsonPropertyName("status")] string Status);
