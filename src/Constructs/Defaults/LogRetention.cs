namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>The retention periods CloudWatch Logs accepts, and the check every construct's retention prop goes through.</summary>
public static class LogRetention
{
    /// <summary>Every value of <c>RetentionInDays</c> that CloudWatch Logs accepts.</summary>
    public static IReadOnlyList<int> AcceptedDays { get; } = new[]
    {
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    };

    /// <summary>The platform's default: one year, long enough for an incident review and an annual audit, short enough to bound the bill.</summary>
    public const int DefaultDays = 365;

    internal static void Check(ConstructChecks check, int days, string prop) =>
        check.That(AcceptedDays.Contains(days),
            $"{prop} = {days} is not a retention CloudWatch Logs accepts; use one of {string.Join(", ", AcceptedDays)} days (retention is always bounded on this platform).");
}
