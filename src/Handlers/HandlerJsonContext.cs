using System.Text.Json.Serialization;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;

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
internal sealed partial class HandlerJsonContext : JsonSerializerContext;

public sealed record Health([property: JsonPropertyName("status")] string Status);
