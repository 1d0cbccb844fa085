using System.Globalization;

namespace AwsModelPlatform.CostReports;

/// <summary>A priced line reduced to what a comparison needs: which resource, what it is billed in, and its monthly cost.</summary>
internal sealed record CostLine(string Stack, string Resource, string Type, string Unit, decimal MonthlyUsd)
{
    /// <summary>The key two snapshots match lines by.</summary>
    public string Key => $"{Stack}|{Resource}|{Type}|{Unit}";

    /// <summary>The line of a priced report line.</summary>
    public static CostLine Of(ReportLine line) => new(line.Stack, line.Resource, line.Type, line.Unit, line.MonthlyUsd);
}

/// <summary>
/// The monthly cost of an app at one point in time: every priced line for the usage profile and each stack's worst case.
/// Read from a cloud assembly (priced now) or from a directory of reports this CLI wrote (the <c>&lt;stack&gt;.csv</c> files and
/// <see cref="Reports.SummaryFile"/>), so a committed set of reports can serve as the baseline of a cost gate.
/// </summary>
internal sealed record CostSnapshot(string Name, IReadOnlyList<CostLine> Lines, IReadOnlyDictionary<string, decimal> WorstCaseByStack)
{
    /// <summary>The expected monthly cost: the sum of the lines.</summary>
    public decimal ExpectedMonthlyUsd => Lines.Sum(l => l.MonthlyUsd);

    /// <summary>The worst case: the sum of the stacks' synth-time worst cases (a stack without one counts zero).</summary>
    public decimal WorstCaseMonthlyUsd => WorstCaseByStack.Values.Sum();

    /// <summary>The snapshot of the stacks of a cloud assembly, priced with <paramref name="pricers"/>.</summary>
    public static CostSnapshot Of(string name, IReadOnlyList<StackTemplate> stacks, Pricers pricers) => new(
        name,
        stacks.SelectMany(pricers.Price).Select(CostLine.Of).ToList(),
        stacks.ToDictionary(s => s.Name, s => (decimal)(WorstCase.Of(s)?.TotalMonthlyUsd ?? 0), StringComparer.Ordinal));

    /// <summary>The snapshot at <paramref name="path"/>: a cloud assembly (it has a <c>manifest.json</c>) or a reports directory.</summary>
    public static CostSnapshot Load(string path, Pricers pricers) =>
        File.Exists(Path.Combine(path, "manifest.json")) ? Of(path, CloudAssembly.Read(path), pricers) : FromReports(path);

    /// <summary>The snapshot recorded in a reports directory: its summary names the stacks, each stack's CSV holds its lines.</summary>
    public static CostSnapshot FromReports(string directory)
    {
        var summaryPath = Path.Combine(directory, Reports.SummaryFile);
        if (!File.Exists(summaryPath))
            throw new CliException($"'{directory}' is neither a cloud assembly (no manifest.json) nor a reports directory (no {Reports.SummaryFile}).");
        var lines = new List<CostLine>();
        var worst = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var row in Csv.Rows(File.ReadAllText(summaryPath), Reports.SummaryHeader, summaryPath))
        {
            var stack = row[0];
            worst[stack] = Money(row[2], summaryPath);
            var csv = Path.Combine(directory, stack + ".csv");
            if (!File.Exists(csv)) throw new CliException($"{summaryPath} lists stack '{stack}', but {csv} does not exist.");
            lines.AddRange(Csv.Rows(File.ReadAllText(csv), Reports.CsvHeader, csv)
                .Select(r => new CostLine(r[0], r[1], r[2], r[4], Money(r[6], csv))));
        }
        return new CostSnapshot(directory, lines, worst);
    }

    private static decimal Money(string text, string file) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new CliException($"{file}: '{text}' is not an amount in USD.");
}
