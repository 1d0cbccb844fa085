namespace AwsModelPlatform.Contracts;

/// <summary>
/// What the handler's problem catalog and the constructs' gateway responses share: the base of every problem
/// <c>type</c> URI, and the type API Gateway answers (from the constructs' templates) before the handler runs.
/// </summary>
internal static class ProblemTypes
{
    /// <summary>The base of every <c>type</c> URI: <c>{Base}{suffix}</c>.</summary>
    public const string Base = "https://awsmodelplatform.dev/problems/";

    /// <summary>A missing or refused API key: the key-mode API's <c>UNAUTHORIZED</c> and <c>ACCESS_DENIED</c> gateway responses.</summary>
    public const string InvalidApiKey = "invalid-api-key";
}
