using System.Reflection;
using System.Text.Json;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>One unit price of the <see cref="PriceTable"/>, with where and when it was read.</summary>
/// <param name="Region">AWS region the price applies to.</param>
/// <param name="Service">Service key, e.g. <c>sagemaker.hosting</c>.</param>
/// <param name="Sku">What is priced within the service, e.g. <c>ml.g5.2xlarge</c>.</param>
/// <param name="Usd">Price of one <paramref name="Unit"/>, in US dollars.</param>
/// <param name="Unit">The unit priced, e.g. <c>instance-hour</c>, <c>GB-second</c>.</param>
/// <param name="Source">Where the price was read.</param>
/// <param name="Date">When it was read there (ISO date).</param>
/// <param name="Estimated">True when the figure is derived (the source says how) rather than read.</param>
public sealed record Price(string Region, string Service, string Sku, double Usd, string Unit, string Source, string Date, bool Estimated);

/// <summary>
/// The library's one price table (<c>Cost/prices.json</c>, embedded in the assembly): region → service → SKU →
/// unit price, each with its source and date. Constructs read their worst-case cost from it.
/// </summary>
public sealed class PriceTable
{
    /// <summary>Service key of SageMaker real-time hosting instances (SKU: instance type; unit: instance-hour).</summary>
    public const string SageMakerHosting = "sagemaker.hosting";

    /// <summary>Service key of SageMaker Serverless Inference (SKUs: <c>inference.gb-second</c>, <c>provisioned-concurrency.gb-second</c>).</summary>
    public const string SageMakerServerless = "sagemaker.serverless";

    /// <summary>Hours in the average month, as AWS's price pages count them.</summary>
    public const double HoursPerMonth = 730;

    private readonly Dictionary<string, Dictionary<string, Dictionary<string, Price>>> _prices;

    /// <summary>The table shipped with the library.</summary>
    public static PriceTable Default { get; } = Load();

    /// <summary>Version of the data file.</summary>
    public string Version { get; }

    /// <summary>Region whose prices are used when a stack's region is not known at synth time.</summary>
    public string DefaultRegion { get; }

    /// <summary>The notes of the data file: how the prices were gathered and what they assume.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The regions priced.</summary>
    public IReadOnlyCollection<string> Regions => _prices.Keys;

    private PriceTable(string version, string defaultRegion, IReadOnlyList<string> notes, Dictionary<string, Dictionary<string, Dictionary<string, Price>>> prices)
    {
        Version = version;
        DefaultRegion = defaultRegion;
        Notes = notes;
        _prices = prices;
    }

    /// <summary>Reads a table in the format of <c>Cost/prices.json</c>.</summary>
    public static PriceTable Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var currency = root.GetProperty("currency").GetString();
        if (currency != "USD") throw new FormatException($"price table currency is '{currency}'; only USD is supported.");
        var prices = new Dictionary<string, Dictionary<string, Dictionary<string, Price>>>();
        foreach (var region in root.GetProperty("regions").EnumerateObject())
        {
            var services = prices[region.Name] = new();
            foreach (var service in region.Value.EnumerateObject())
            {
                var skus = services[service.Name] = new();
                foreach (var sku in service.Value.EnumerateObject())
                {
                    var p = sku.Value;
                    string Required(string name) => p.TryGetProperty(name, out var v) && v.GetString() is { Length: > 0 } s
                        ? s : throw new FormatException($"price {region.Name}/{service.Name}/{sku.Name} has no '{name}'.");
                    skus[sku.Name] = new Price(region.Name, service.Name, sku.Name, p.GetProperty("usd").GetDouble(), Required("unit"),
                        Required("source"), Required("date"), p.TryGetProperty("estimated", out var e) && e.GetBoolean());
                }
            }
        }
        var notes = root.TryGetProperty("notes", out var n) ? n.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : Array.Empty<string>();
        return new PriceTable(root.GetProperty("version").GetString()!, root.GetProperty("defaultRegion").GetString()!, notes, prices);
    }

    private static PriceTable Load()
    {
        var assembly = typeof(PriceTable).Assembly;
        using var stream = assembly.GetManifestResourceStream("AwsModelPlatform.Constructs.Cost.prices.json")
            ?? throw new InvalidOperationException("the embedded price table Cost/prices.json is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>The region whose prices apply to <paramref name="region"/>: itself when priced, else <see cref="DefaultRegion"/>.</summary>
    public string PricedRegion(string? region) => region is not null && _prices.ContainsKey(region) ? region : DefaultRegion;

    /// <summary>Looks a price up.</summary>
    public bool TryGet(string region, string service, string sku, out Price price)
    {
        price = null!;
        return _prices.TryGetValue(region, out var services) && services.TryGetValue(service, out var skus) && skus.TryGetValue(sku, out price!);
    }

    /// <summary>A price that must exist.</summary>
    /// <exception cref="KeyNotFoundException">when the table has no such price.</exception>
    public Price Get(string region, string service, string sku) =>
        TryGet(region, service, sku, out var price) ? price
            : throw new KeyNotFoundException($"the price table (version {Version}) has no price for {service} '{sku}' in {region}; add it to src/Constructs/Cost/prices.json with its source and date.");

    /// <summary>Every price of a service in a region.</summary>
    public IEnumerable<Price> Prices(string region, string service) =>
        _prices.TryGetValue(region, out var services) && services.TryGetValue(service, out var skus) ? skus.Values : Enumerable.Empty<Price>();
}
