namespace AwsModelPlatform.Contracts;

/// <summary>
/// The access table (one DynamoDB table: partition key <see cref="PartitionKey"/>, sort key <see cref="SortKey"/>, both
/// strings; TTL on <see cref="Ttl"/>): API keys (as MACs), team limits, the limit windows and the usage ledger. The
/// handler reads and writes these items; the constructs scope each function's grant to the item families it uses with
/// <c>dynamodb:LeadingKeys</c> (<see cref="KeyItems"/>, <see cref="TeamItems"/>, <see cref="UsageItems"/>).
/// </summary>
internal static class AccessLayout
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";

    /// <summary>The TTL attribute: the limit windows of one minute expire after it.</summary>
    public const string Ttl = "expiresAt";

    /// <summary>An API key's record: <c>key#{keyId}</c> / <see cref="KeySort"/>.</summary>
    public const string KeyPrefix = "key#";

    /// <summary>A team's limits (<see cref="LimitsSort"/>) and its limit windows: <c>team#{team}</c>.</summary>
    public const string TeamPrefix = "team#";

    /// <summary>The usage ledger of a team and month: <c>usage#{team}#{yyyy-MM}</c> / <c>{keyId}#{model}</c>.</summary>
    public const string UsagePrefix = "usage#";

    public const string KeySort = "key";
    public const string LimitsSort = "limits";

    /// <summary>The <c>dynamodb:LeadingKeys</c> pattern of the key records (the authorizer reads them, the admin routes write them).</summary>
    public const string KeyItems = KeyPrefix + "*";

    /// <summary>The pattern of the team items: limits and windows (the API functions count in them, the admin routes set limits).</summary>
    public const string TeamItems = TeamPrefix + "*";

    /// <summary>The pattern of the usage ledger (the API functions add to it, the admin routes read it).</summary>
    public const string UsageItems = UsagePrefix + "*";
}
