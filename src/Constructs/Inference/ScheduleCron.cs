using System.Globalization;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// A cron expression as Application Auto Scaling's scheduled actions take it: <c>cron(Minutes Hours Day-of-month Month
/// Day-of-week Year)</c>, the syntax of EventBridge's cron reference
/// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html, which AAS's scheduled scaling page
/// points to: https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html).
/// Fields and wildcards: minutes 0-59 and hours 0-23 (<c>, - * /</c>); day-of-month 1-31 (<c>, - * ? / L W</c>); month 1-12
/// or JAN-DEC (<c>, - * /</c>); day-of-week 1-7 or SUN-SAT, 1 = Sunday (<c>, - * ? L #</c>, one <c>#</c> expression only);
/// year 1970-2199 (<c>, - * /</c>). Exactly one of day-of-month and day-of-week is <c>?</c>.
/// Parsed at synth to refuse what AAS would, and to count the hours a warm window lasts.
/// </summary>
internal sealed class ScheduleCron
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly bool[] _minutes = new bool[60];
    private readonly bool[] _hours = new bool[24];
    private readonly bool[] _months = new bool[13];
    private readonly bool[] _years = new bool[2200];
    private readonly bool[] _daysOfMonth = new bool[32];
    private readonly bool[] _daysOfWeek = new bool[8];
    private bool _anyDayOfMonth, _lastDayOfMonth, _lastDayOfWeekOnly;
    private int? _lastWeekdayOfWeek, _nearestWeekday, _nthWeekday, _nthWeekdayDay;

    /// <summary>The expression as AAS takes it: <c>cron(...)</c>.</summary>
    public string Expression { get; }

    private ScheduleCron(string fields) => Expression = $"cron({fields})";

    /// <summary>Parses <c>cron(...)</c> or its six bare fields; <paramref name="error"/> says what AAS would refuse.</summary>
    public static bool TryParse(string? value, out ScheduleCron cron, out string error)
    {
        cron = null!;
        var text = (value ?? "").Trim();
        if (text.StartsWith("cron(", StringComparison.Ordinal) && text.EndsWith(')')) text = text[5..^1].Trim();
        else if (text.StartsWith("rate(", StringComparison.Ordinal) || text.StartsWith("at(", StringComparison.Ordinal))
        {
            error = "a warm window recurs: give a cron expression, not rate(...) or at(...)";
            return false;
        }
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            error = $"a cron expression has six fields (Minutes Hours Day-of-month Month Day-of-week Year), this one has {fields.Length}";
            return false;
        }
        var c = new ScheduleCron(string.Join(' ', fields));
        error = c.Field(fields[0], "Minutes", 0, 59, null, c._minutes)
            ?? c.Field(fields[1], "Hours", 0, 23, null, c._hours)
            ?? c.DayOfMonth(fields[2])
            ?? c.Field(fields[3], "Month", 1, 12, Months, c._months)
            ?? c.DayOfWeek(fields[4])
            ?? c.Field(fields[5], "Year", 1970, 2199, null, c._years)
            ?? "";
        if (error.Length > 0) return false;
        if ((fields[2] == "?") == (fields[4] == "?"))
        {
            error = "exactly one of Day-of-month and Day-of-week must be '?' (AAS cannot take both, nor neither)";
            return false;
        }
        cron = c;
        return true;
    }

    /// <summary>Whether the schedule fires at this minute of local time.</summary>
    public bool Matches(DateTime local)
    {
        if (!_minutes[local.Minute] || !_hours[local.Hour] || !_months[local.Month] || local.Year >= _years.Length || !_years[local.Year]) return false;
        return _anyDayOfMonth ? MatchesDayOfWeek(local) : MatchesDayOfMonth(local);
    }

    private bool MatchesDayOfMonth(DateTime d)
    {
        var last = DateTime.DaysInMonth(d.Year, d.Month);
        if (_lastDayOfMonth && d.Day == last) return true;
        if (_nearestWeekday is { } n)
        {
            // The weekday nearest to day n, without leaving the month.
            var target = new DateTime(d.Year, d.Month, Math.Min(n, last));
            if (target.DayOfWeek == System.DayOfWeek.Saturday) target = target.Day == 1 ? target.AddDays(2) : target.AddDays(-1);
            else if (target.DayOfWeek == System.DayOfWeek.Sunday) target = target.Day == last ? target.AddDays(-2) : target.AddDays(1);
            return d.Day == target.Day;
        }
        return _daysOfMonth[d.Day];
    }

    private bool MatchesDayOfWeek(DateTime d)
    {
        var dow = (int)d.DayOfWeek + 1; // 1 = Sunday
        if (_lastDayOfWeekOnly) return dow == 7;
        if (_lastWeekdayOfWeek is { } lw) return dow == lw && d.Day + 7 > DateTime.DaysInMonth(d.Year, d.Month);
        if (_nthWeekday is { } nth) return dow == _nthWeekdayDay && (d.Day - 1) / 7 + 1 == nth;
        return _daysOfWeek[dow];
    }

    private string? DayOfMonth(string field)
    {
        if (field == "?") { _anyDayOfMonth = true; return null; }
        if (field == "L") { _lastDayOfMonth = true; return null; }
        if (field.EndsWith('W'))
        {
            if (!int.TryParse(field[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 31)
                return $"Day-of-month '{field}': W follows one day from 1 to 31 (3W: the weekday nearest the 3rd)";
            _nearestWeekday = n;
            return null;
        }
        return Field(field, "Day-of-month", 1, 31, null, _daysOfMonth);
    }

    private string? DayOfWeek(string field)
    {
        if (field == "?") return null;
        if (field == "L") { _lastDayOfWeekOnly = true; return null; }
        if (field.Contains('#'))
        {
            var parts = field.Split('#');
            if (parts.Length != 2 || Value(parts[0], 1, 7, Days) is not { } day || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var nth) || nth is < 1 or > 5)
                return $"Day-of-week '{field}': # takes one day (1-7 or SUN-SAT) and its instance in the month, 1 to 5 (3#2: the second Tuesday), and no list";
            (_nthWeekdayDay, _nthWeekday) = (day, nth);
            return null;
        }
        if (field.Length > 1 && field.EndsWith('L'))
        {
            if (Value(field[..^1], 1, 7, Days) is not { } day) return $"Day-of-week '{field}': L follows one day, 1-7 or SUN-SAT (6L: the month's last Friday)";
            _lastWeekdayOfWeek = day;
            return null;
        }
        return Field(field, "Day-of-week", 1, 7, Days, _daysOfWeek);
    }

    private string? Field(string field, string name, int min, int max, string[]? names, bool[] set)
    {
        foreach (var item in field.Split(','))
        {
            var (range, step) = item.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 => (r, n),
                _ => ((string?)null, 0),
            };
            if (range is null) return $"{name} '{field}': an increment is a whole number of at least 1 after '/' (0/15: every 15 from 0)";
            int from, to;
            if (range == "*") (from, to) = (min, max);
            else if (range.Split('-') is [var a, var b] && Value(a, min, max, names) is { } lo && Value(b, min, max, names) is { } hi && lo <= hi) (from, to) = (lo, hi);
            else if (!range.Contains('-') && Value(range, min, max, names) is { } single) (from, to) = (single, item.Contains('/') ? max : single);
            else return $"{name} '{field}': values are {min}-{max}{(names is null ? "" : $" or {names[0]}-{names[^1]}")}, with the wildcards , - * /";
            for (var v = from; v <= to; v += step) set[v] = true;
        }
        return null;
    }

    private static int? Value(string text, int min, int max, string[]? names)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n >= min && n <= max ? n : null;
        var i = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        return i >= 0 ? min + i : null;
    }
}
