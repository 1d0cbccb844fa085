using System.Text.Json;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// The team a model request counts in, and the name of the caller in the usage ledger (<see cref="UsageRow.KeyId"/>): the
/// API key's id, or the <see cref="CallerTeam.Caller"/> entry the IAM principal or Cognito group matched.
/// </summary>
public sealed record TeamCaller(string Team, string LedgerId)
{
    /// <summary>The prefix of a Cognito group in <see cref="AccessSettings.CallerTeams"/>.</summary>
    public const string CognitoGroupPrefix = "cognito-group:";

    /// <summary>The longest request context read (API Gateway's own is a few KiB).</summary>
    private const int MaxContextChars = 16_384;

    /// <summary>
    /// The caller's team from the API Gateway request context the Lambda Web Adapter forwards in <c>x-amzn-request-context</c>
    /// (in Lambda the adapter writes that header from the event, replacing any a client sent), in this order:
    /// <list type="number">
    /// <item>API key: the key authorizer's context, <c>authorizer.team</c> and <c>authorizer.keyId</c>
    /// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html: context values
    /// reach the integration as <c>$context.authorizer.{key}</c>);</item>
    /// <item>IAM: <c>identity.userArn</c> equal to an entry's caller, or an assumed-role session
    /// (<c>arn:aws:sts::{account}:assumed-role/{role}/{session}</c>) of an entry's role
    /// (<c>arn:aws:iam::{account}:role/{path}{role}</c>; the session ARN carries no path, so the role's name and account decide);</item>
    /// <item>Cognito: a group of the <c>cognito:groups</c> claim (<c>authorizer.claims</c>) named by a
    /// <c>cognito-group:{name}</c> entry, the first entry in order that matches.</item>
    /// </list>
    /// Null when none applies: the request is refused with 403 <c>no-team</c>.
    /// </summary>
    internal static TeamCaller? From(string? requestContext, IReadOnlyList<CallerTeam> callerTeams)
    {
        if (requestContext is not { Length: > 0 and <= MaxContextChars }) return null;
        try
        {
            using var doc = JsonDocument.Parse(requestContext);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var authorizer = Member(root, "authorizer");
            if (Str(authorizer, "team") is { } keyTeam && TeamLimits.IsValidName(keyTeam))
                return new TeamCaller(keyTeam, Str(authorizer, "keyId") is { } keyId && ApiKey.IsKeyId(keyId) ? keyId : "key");
            if (Str(Member(root, "identity"), "userArn") is { } arn)
                foreach (var entry in callerTeams)
                    if (entry is { Caller: { } caller, Team: { } team } && IsPrincipal(arn, caller)) return new TeamCaller(team, caller);
            var groups = Groups(Member(authorizer, "claims"));
            foreach (var entry in callerTeams)
                if (entry is { Caller: { } caller, Team: { } team } && caller.StartsWith(CognitoGroupPrefix, StringComparison.Ordinal)
                    && groups.Contains(caller[CognitoGroupPrefix.Length..]))
                    return new TeamCaller(team, caller);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // A malformed context names no team: the request is refused, never counted elsewhere.
        }
        return null;
    }

    /// <summary>Whether the request's <paramref name="userArn"/> is the <paramref name="caller"/> an entry names.</summary>
    public static bool IsPrincipal(string userArn, string caller)
    {
        if (string.Equals(userArn, caller, StringComparison.Ordinal)) return true;
        // arn:aws:sts::123456789012:assumed-role/name/session against arn:aws:iam::123456789012:role/path/name
        var session = userArn.Split(':', 6);
        var role = caller.Split(':', 6);
        if (session is not ["arn", var partition, "sts", "", var account, var sessionResource] || !sessionResource.StartsWith("assumed-role/", StringComparison.Ordinal))
            return false;
        if (role is not ["arn", var rolePartition, "iam", "", var roleAccount, var roleResource] || !roleResource.StartsWith("role/", StringComparison.Ordinal))
            return false;
        var sessionRole = sessionResource.Split('/') is [_, var name, _] ? name : null;
        var roleName = roleResource[(roleResource.LastIndexOf('/') + 1)..];
        return partition == rolePartition && account == roleAccount && sessionRole is not null && sessionRole == roleName;
    }

    /// <summary>
    /// The <c>cognito:groups</c> claim: a JSON array, or the one string a REST API's Cognito authorizer passes for it
    /// (comma- or space-separated, possibly in brackets).
    /// </summary>
    private static HashSet<string> Groups(JsonElement claims)
    {
        var groups = new HashSet<string>(StringComparer.Ordinal);
        if (claims.ValueKind != JsonValueKind.Object || !claims.TryGetProperty("cognito:groups", out var value)) return groups;
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var g in value.EnumerateArray())
                if (g.ValueKind == JsonValueKind.String && g.GetString() is { Length: > 0 } s) groups.Add(s);
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            foreach (var g in value.GetString()!.Trim('[', ']').Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                groups.Add(g);
        }
        return groups;
    }

    private static JsonElement Member(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
}
