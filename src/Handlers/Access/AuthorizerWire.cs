using System.Text.Json.Serialization;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// The event API Gateway sends a REQUEST Lambda authorizer (the parts this authorizer reads):
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
/// </summary>
public sealed record AuthorizerRequest(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("methodArn")] string? MethodArn,
    [property: JsonPropertyName("headers")] Dictionary<string, string?>? Headers);

/// <summary>
/// The authorizer's answer: the caller's principal, an IAM policy for <c>execute-api:Invoke</c>, and the context the API
/// function and the gateway responses read (<c>$context.authorizer.team</c>):
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
/// </summary>
public sealed record AuthorizerResponse(
    [property: JsonPropertyName("principalId")] string PrincipalId,
    [property: JsonPropertyName("policyDocument")] PolicyDocument PolicyDocument,
    [property: JsonPropertyName("context")] Dictionary<string, string> Context);

public sealed record PolicyDocument(
    [property: JsonPropertyName("Version")] string Version,
    [property: JsonPropertyName("Statement")] IReadOnlyList<PolicyStatement> Statement);

public sealed record PolicyStatement(
    [property: JsonPropertyName("Action")] string Action,
    [property: JsonPropertyName("Effect")] string Effect,
    [property: JsonPropertyName("Resource")] string Resource);

/// <summary>The authorizer's and the admin routes' wire types (source-generated: AOT-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuthorizerRequest))]
[JsonSerializable(typeof(AuthorizerResponse))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(RotateKeyRequest))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(KeyInfo))]
[JsonSerializable(typeof(TeamBody))]
[JsonSerializable(typeof(UsageList))]
internal sealed partial class AccessJsonContext : JsonSerializerContext;
