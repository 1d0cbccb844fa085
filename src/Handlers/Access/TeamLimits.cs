namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// What a team may use. A null limit is no limit. Tokens are prompt plus completion tokens; a request reserves its
/// <c>max_tokens</c> (plus its prompt's estimate) before the call and settles to what the model reported after it.
/// </summary>
/// <param name="Team">The team's name (letters, digits, '-', '_', '.'; at most 64).</param>
/// <param name="RequestsPerMinute">Requests per UTC minute.</param>
/// <param name="TokensPerMinute">Tokens per UTC minute.</param>
/// <param name="MonthlyTokens">Tokens per UTC month.</param>
/// <param name="MonthlyUsd">Dollars per UTC month, at the platform's price table (docs/access.md).</param>
/// <param name="Models">The models the team may call; null: every model of the API.</param>
public sealed record TeamLimits(
    string Team,
    long? RequestsPerMinute = null,
    long? TokensPerMinute = null,
    long? MonthlyTokens = null,
    decimal? MonthlyUsd = null,
    IReadOnlyList<string>? Models = null)
{
    /// <summary>Whether the team may call <paramref name="model"/>.</summary>
    public bool Allows(string model) => Models is null || Models.Contains(model, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="team"/> is a valid team name.</summary>
    public static bool IsValidName(string? team) =>
        team is { Length: > 0 and <= 64 } && team.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
