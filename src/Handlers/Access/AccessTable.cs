using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>The access table's item keys (<see cref="AccessLayout"/>: what each item is) and the DynamoDB helpers the stores share.</summary>
public static class AccessTable
{
    public const string PartitionKey = AccessLayout.PartitionKey;
    public const string SortKey = AccessLayout.SortKey;
    public const string Ttl = AccessLayout.Ttl;

    public static string TeamKey(string team) => AccessLayout.TeamPrefix + team;
    public static string ApiKeyKey(string keyId) => AccessLayout.KeyPrefix + keyId;
    public static string UsageKey(string team, DateTimeOffset month) => $"{AccessLayout.UsagePrefix}{team}#{Month(month)}";
    public const string LimitsSort = AccessLayout.LimitsSort;
    public const string KeySort = AccessLayout.KeySort;
    public static string RequestsSort(DateTimeOffset now) => "rpm#" + Minute(now);
    public static string TokensSort(DateTimeOffset now) => "tpm#" + Minute(now);
    public static string MonthSort(DateTimeOffset now) => "month#" + Month(now);
    public static string UsageSort(string keyId, string model) => $"{keyId}#{model}";

    /// <summary>The UTC minute of <paramref name="t"/> as the windows name it.</summary>
    public static string Minute(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    /// <summary>The UTC month of <paramref name="t"/>.</summary>
    public static string Month(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The start of the UTC minute after <paramref name="t"/>: when a minute's limits reset.</summary>
    public static DateTimeOffset NextMinute(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        return new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, u.Minute, 0, TimeSpan.Zero).AddMinutes(1);
    }

    /// <summary>The start of the UTC month after <paramref name="t"/>: when a month's budget resets.</summary>
    public static DateTimeOffset NextMonth(DateTimeOffset t) => new DateTimeOffset(t.UtcDateTime.Year, t.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);

    public static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        [PartitionKey] = new AttributeValue { S = pk },
        [SortKey] = new AttributeValue { S = sk },
    };

    public static AttributeValue N(long v) => new() { N = v.ToString(CultureInfo.InvariantCulture) };
    public static AttributeValue N(decimal v) => new() { N = v.ToString(CultureInfo.InvariantCulture) };
    public static AttributeValue S(string v) => new() { S = v };

    public static long Long(Dictionary<string, AttributeValue>? item, string name) =>
        item is not null && item.TryGetValue(name, out var v) && v.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : 0;

    public static decimal Decimal(Dictionary<string, AttributeValue>? item, string name) =>
        item is not null && item.TryGetValue(name, out var v) && v.N is { } n ? decimal.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture) : 0m;

    public static long? OptionalLong(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : null;

    public static string? OptionalString(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) ? v.S : null;
}
