using System.Globalization;

namespace AwsModelPlatform.CostReports;

/// <summary>One hosting mode's monthly cost as a function of monthly requests.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Cost">Monthly USD for a number of requests a month.</param>
public sealed record CostSeries(string Name, Func<double, double> Cost);

/// <summary>Where two series cost the same.</summary>
public sealed record BreakevenPoint(string A, string B, double Requests, double MonthlyUsd);

/// <summary>
/// The same model served four ways (always-on with N instances, inference components scaling to zero, serverless,
/// async scaling to zero), priced with <see cref="EndpointModel"/>, and where their costs cross.
/// </summary>
internal sealed class Breakeven
{
    /// <summary>Legend texts of the four series, in plot order.</summary>
    public static readonly string[] SeriesKeys = { "Always-on", "Scale-to-zero", "Serverless", "Async" };

    /// <summary>The four series.</summary>
    public IReadOnlyList<CostSeries> Series { get; }

    /// <summary>Right end of the x axis.</summary>
    public double MaxRequests { get; }

    /// <summary>Builds the series from the profile's break-even section.</summary>
    public Breakeven(BreakevenUsage b, PriceTable table)
    {
        var region = table.DefaultRegion;
        var hourly = table.Get(region, PriceTable.SageMakerHosting, b.InstanceType).Usd;
        var gbSecond = table.Get(region, PriceTable.SageMakerServerless, "inference.gb-second").Usd;
        double Busy(double r) => EndpointModel.BusyInstanceHours(r, b.ModelLatencyMs, b.ConcurrencyPerInstance);
        MaxRequests = b.MaxRequestsPerMonth;
        var serverlessLatency = b.ServerlessLatencyMs ?? b.ModelLatencyMs;
        Series = new[]
        {
            new CostSeries($"Always-on ({b.AlwaysOnInstances} × {b.InstanceType})",
                r => hourly * EndpointModel.AlwaysOnHours(b.AlwaysOnInstances, Math.Max(b.MaxInstances, b.AlwaysOnInstances), Busy(r), b.TargetUtilization)),
            new CostSeries($"Scale-to-zero (inference components, {b.InstanceType})",
                r => hourly * EndpointModel.ScaleToZeroHours(b.MaxInstances, Busy(r), b.TargetUtilization, b.ScaleToZeroIdleHoursPerMonth, r)),
            new CostSeries(string.Create(CultureInfo.InvariantCulture, $"Serverless ({b.ServerlessMemoryMb} MB, CPU only, {serverlessLatency:0} ms)"),
                r => gbSecond * EndpointModel.ServerlessGbSeconds(r, serverlessLatency, b.ServerlessMemoryMb)),
            new CostSeries($"Async (scale to zero, {b.InstanceType})",
                r => hourly * EndpointModel.ScaleToZeroHours(b.MaxInstances, Busy(r), 1, b.ScaleToZeroIdleHoursPerMonth, r)),
        };
    }

    /// <summary>The x values sampled: 0 to <see cref="MaxRequests"/> in 300 steps.</summary>
    public double[] Xs() => Enumerable.Range(0, 301).Select(i => MaxRequests * i / 300).ToArray();

    /// <summary>Every crossing of two series within the axis, found by bisection between samples where their order changes.</summary>
    public List<BreakevenPoint> Points()
    {
        var xs = Xs();
        var points = new List<BreakevenPoint>();
        for (var i = 0; i < Series.Count; i++)
        for (var j = i + 1; j < Series.Count; j++)
        {
            var (a, b) = (Series[i], Series[j]);
            double D(double x) => a.Cost(x) - b.Cost(x);
            for (var k = 1; k < xs.Length; k++)
            {
                var (lo, hi) = (xs[k - 1], xs[k]);
                if (Math.Sign(D(lo)) == Math.Sign(D(hi)) || D(hi) == 0 && k < xs.Length - 1) continue;
                if (D(lo) == 0) continue;
                for (var n = 0; n < 60; n++)
                {
                    var mid = (lo + hi) / 2;
                    if (Math.Sign(D(mid)) == Math.Sign(D(lo))) lo = mid; else hi = mid;
                }
                var x = Math.Round(hi);
                points.Add(new BreakevenPoint(a.Name, b.Name, x, a.Cost(x)));
            }
        }
        return points.OrderBy(p => p.Requests).ToList();
    }

    /// <summary>Writes the chart as SVG.</summary>
    public void WriteSvg(string path)
    {
        Plot().SaveSvg(path, 1000, 600);
        File.WriteAllText(path, Deterministic(File.ReadAllText(path)), new System.Text.UTF8Encoding(false));
    }

    /// <summary>The chart: the four series, the crossings marked and labelled.</summary>
    public ScottPlot.Plot Plot()
    {
        var plot = new ScottPlot.Plot();
        var xs = Xs();
        var colors = new[] { "#b2182b", "#2166ac", "#1b7837", "#e08214" }.Select(ScottPlot.Color.FromHex).ToArray();
        for (var i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            var scatter = plot.Add.ScatterLine(xs.Select(x => x / 1e6).ToArray(), xs.Select(s.Cost).ToArray());
            scatter.LegendText = s.Name;
            scatter.Color = colors[i];
            scatter.LineWidth = 2;
        }
        var index = 0;
        foreach (var p in Points())
        {
            var below = index++ % 2 == 1; // alternate above and below, so close crossings do not overwrite each other
            var marker = plot.Add.Marker(p.Requests / 1e6, p.MonthlyUsd, ScottPlot.MarkerShape.FilledCircle, 8);
            marker.Color = ScottPlot.Colors.Black;
            var label = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{p.Requests / 1e6:0.##}M req: ${p.MonthlyUsd:0}"), p.Requests / 1e6, p.MonthlyUsd);
            label.LabelFontSize = 11;
            label.LabelFontName = "DejaVu Sans";
            label.LabelOffsetX = 6;
            label.LabelOffsetY = below ? 16 : -8;
        }
        plot.Font.Set("DejaVu Sans"); // one font every machine of the project has, so the file is the same everywhere
        plot.Title("Monthly cost of one model by hosting mode (breakeven points marked)");
        plot.XLabel("Requests per month (millions)");
        plot.YLabel("Monthly cost (USD)");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.Axes.SetLimits(0, MaxRequests / 1e6, 0, Series.Max(s => xs.Max(s.Cost)) * 1.1);
        return plot;
    }

    /// <summary>Skia numbers clip paths with a process-wide counter; renumber them in order of appearance so two runs write the same file.</summary>
    internal static string Deterministic(string svg)
    {
        var ids = new Dictionary<string, string>();
        return System.Text.RegularExpressions.Regex.Replace(svg, @"\bcl_([0-9a-zA-Z]+)\b", m =>
        {
            if (!ids.TryGetValue(m.Value, out var id)) ids[m.Value] = id = "clip" + ids.Count.ToString(CultureInfo.InvariantCulture);
            return id;
        });
    }
}
