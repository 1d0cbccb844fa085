namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// A warm window on an endpoint that scales to zero: from <see cref="Start"/> to <see cref="End"/> (cron, in
/// <see cref="TimeZone"/>) autoscaling keeps at least <see cref="MinCapacity"/> copies (inference components) or instances
/// (async endpoints), so the first request of the working day finds the model awake. Made of two Application Auto Scaling
/// scheduled actions on the endpoint's scalable target: at the start one raises <c>MinCapacity</c>, at the end the other
/// puts it back; no function runs. Target tracking keeps working inside the window (above the raised floor), and
/// scale-in to zero resumes after it.
/// </summary>
/// <remarks>
/// A warm window is paid GPU time: the cost reports price its hours (<see cref="HoursPerMonth"/>) on the endpoint.
/// AAS evaluates the cron in <see cref="TimeZone"/> and follows its daylight-saving changes
/// (https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html).
/// </remarks>
public sealed record WarmSchedule
{
    /// <summary>When the window opens: an Application Auto Scaling cron expression, e.g. <c>cron(0 8 ? * MON-FRI *)</c> (the six bare fields are accepted too).</summary>
    public required string Start { get; init; }

    /// <summary>When the window closes, e.g. <c>cron(0 18 ? * MON-FRI *)</c>.</summary>
    public required string End { get; init; }

    /// <summary>The IANA time zone both crons are read in, e.g. <c>Europe/Berlin</c> or <c>America/New_York</c>.</summary>
    /// <remarks>Default: <c>Etc/UTC</c>.</remarks>
    public string TimeZone { get; init; } = "Etc/UTC";

    /// <summary>The floor inside the window: copies for <see cref="InferenceComponentHosting"/>, instances for an async <see cref="RealTimeHosting"/>.</summary>
    /// <remarks>Default: 1.</remarks>
    public int MinCapacity { get; init; } = 1;

    /// <summary>The year the hours of the window are counted over: fixed, so the synthesized cost record does not change with the day of synthesis.</summary>
    internal const int ReferenceYear = 2027;

    internal ScheduleCron StartCron => ScheduleCron.TryParse(Start, out var c, out _) ? c : throw new InvalidOperationException("checked at synth");

    internal ScheduleCron EndCron => ScheduleCron.TryParse(End, out var c, out _) ? c : throw new InvalidOperationException("checked at synth");

    internal TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>
    /// Hours a month the window is open, averaged over <see cref="ReferenceYear"/> and scaled to the price table's 730-hour
    /// month: the schedule is replayed minute by minute in its time zone (open from a minute <see cref="Start"/> matches until
    /// one <see cref="End"/> matches).
    /// </summary>
    internal double HoursPerMonth
    {
        get
        {
            var (start, end, zone) = (StartCron, EndCron, Zone);
            var from = new DateTime(ReferenceYear, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var minutes = (int)(from.AddYears(1) - from).TotalMinutes;
            // Two passes: the first finds whether the window is open at the turn of the year, the second counts.
            var open = false;
            var openMinutes = 0;
            for (var pass = 0; pass < 2; pass++)
            {
                openMinutes = 0;
                for (var i = 0; i < minutes; i++)
                {
                    var utc = from.AddMinutes(i);
                    var local = DateTime.SpecifyKind(utc + zone.GetUtcOffset(utc), DateTimeKind.Unspecified);
                    if (end.Matches(local)) open = false;
                    else if (start.Matches(local)) open = true;
                    if (open) openMinutes++;
                }
            }
            return Math.Round(openMinutes / (double)minutes * AwsModelPlatform.Contracts.PriceTable.HoursPerMonth, 2);
        }
    }

    internal void Check(ConstructChecks check, string prop, int min, int max, string unit)
    {
        check.That(ScheduleCron.TryParse(Start, out _, out var startError),
            $"{prop}.Start = '{Start}' is not a cron expression Application Auto Scaling accepts: {startError}. Example: cron(0 8 ? * MON-FRI *).");
        check.That(ScheduleCron.TryParse(End, out _, out var endError),
            $"{prop}.End = '{End}' is not a cron expression Application Auto Scaling accepts: {endError}. Example: cron(0 18 ? * MON-FRI *).");
        check.That(TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? "", out var zone) && zone.HasIanaId && !TimeZone!.Contains(' '),
            $"{prop}.TimeZone = '{TimeZone}' is not an IANA time zone name; Application Auto Scaling takes the canonical IANA names (Joda-Time's), e.g. Europe/Berlin, America/New_York or Etc/UTC.");
        check.That(MinCapacity > min && MinCapacity <= max,
            $"{prop}.MinCapacity = {MinCapacity} is out of range: a warm window keeps from {min + 1} to {max} {unit} (above the floor outside the window, at most the most autoscaling may run).");
        check.That(Start?.Trim() != End?.Trim(), $"{prop}: Start and End are the same schedule '{Start}'; the window would never stay open.");
    }
}
