using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace AwsModelPlatform.Contracts;

/// <summary>One unit price of the <see cref="PriceTable"/>, with where and when it was read.</summary>
/// <param name="Region">AWS region the price applies to.</param>
/// <param name="Service">Service key, e.g. <c>sagemaker.hosting</c>.</param>
/// <param name="Sku">What is priced within the service, e.g. <c>ml.g5.2xlarge</c>.</param>
/// <param name="Usd">Price of one <paramref name="Unit"/>, in US dollars.</param>
/// <param name="Unit">The unit priced, e.g. <c>instance-hour</c>, <c>GB-second</c>.</param>
/// <param name="Source">Where the price was read.</param>
/// <param name="Date">When it was read there (ISO date).</param>
/// <param name="Estimated">True when the figure is derived (the source says how) rather than read.</param>
internal sealed record Price(string Region, string Service, string Sku, double Usd, string Unit, string Source, string Date, bool Estimated)
{
    /// <summary>
    /// True when the figure was read, for this region and SKU, in the public source named (the file's <c>verified</c>);
    /// false when it stands in for a figure nobody could read there (<see cref="Note"/> says why).
    /// </summary>
    /// <remarks>Default: true.</remarks>
    public bool Verified { get; init; } = true;

    /// <summary>Why the price is not verified, or how it was checked (the file's <c>note</c>).</summary>
    /// <remarks>Default: none.</remarks>
    public string? Note { get; init; }
}

/// <summary>
/// The library's one price table (<c>Cost/prices.json</c>, embedded in the assembly): region → service → SKU →
/// unit price, each with its source and date. Constructs read their worst-case cost from it.
/// </summary>
internal sealed class PriceTable
{
    /// <summary>Service key of SageMaker real-time hosting instances (SKU: instance type; unit: instance-hour).</summary>
    public const string SageMakerHosting = "sagemaker.hosting";

    /// <summary>Service key of SageMaker Serverless Inference (SKUs: <c>inference.gb-second</c>, <c>provisioned-concurrency.gb-second</c>).</summary>
    public const string SageMakerServerless = "sagemaker.serverless";

    /// <summary>Service key of EC2 on-demand Linux instances (SKU: instance type; unit: instance-hour), what AWS Batch runs on.</summary>
    public const string Ec2OnDemand = "ec2.ondemand";

    /// <summary>Service key of EBS volumes (SKU: <c>gp3.storage</c>).</summary>
    public const string Ebs = "ebs";

    /// <summary>Service key of AWS Lambda (SKUs: <c>request</c>, <c>x86.gb-second</c>, <c>arm.gb-second</c>, <c>{x86,arm}.provisioned-concurrency.gb-second</c>, <c>{x86,arm}.provisioned-duration.gb-second</c>).</summary>
    public const string Lambda = "lambda";

    /// <summary>Service key of API Gateway REST APIs (SKU: <c>request</c>).</summary>
    public const string ApiGatewayRest = "apigateway.rest";

    /// <summary>Service key of NAT gateways (SKUs: <c>hour</c>, <c>gb-processed</c>).</summary>
    public const string NatGateway = "vpc.nat-gateway";

    /// <summary>Service key of VPC interface endpoints (SKUs: <c>az-hour</c>, <c>gb-processed</c>).</summary>
    public const string InterfaceEndpoint = "vpc.interface-endpoint";

    /// <summary>
    /// Service key of AWS KMS (SKUs: <c>key-month</c>, the same for symmetric, asymmetric and HMAC keys; <c>request</c>;
    /// <c>mac-request</c>, a <c>GenerateMac</c> or <c>VerifyMac</c> request; <c>rotation-month</c>).
    /// </summary>
    public const string Kms = "kms";

    /// <summary>Service key of CloudTrail (SKUs: <c>data-event</c>, <c>management-event</c>).</summary>
    public const string CloudTrail = "cloudtrail";

    /// <summary>Service key of CloudWatch (SKUs: <c>alarm.standard</c>, <c>alarm.high-resolution</c>, <c>alarm.composite</c>, <c>alarm.anomaly-detection</c>, <c>metric</c>, <c>dashboard</c>, <c>logs.ingestion</c>, <c>logs.storage</c>, <c>api-request</c>).</summary>
    public const string CloudWatch = "cloudwatch";

    /// <summary>Service key of S3 (SKUs: <c>standard.storage</c>, <c>glacier-flexible.storage</c>, <c>put-request</c>, <c>get-request</c>).</summary>
    public const string S3 = "s3";

    /// <summary>Service key of SNS (SKUs: <c>request</c>, <c>email-notification</c>).</summary>
    public const string Sns = "sns";

    /// <summary>Service key of AWS WAF (SKUs: <c>web-acl</c>, <c>rule</c>, <c>request</c>).</summary>
    public const string Waf = "waf";

    /// <summary>Service key of ECR (SKU: <c>storage</c>).</summary>
    public const string Ecr = "ecr";

    /// <summary>Service key of what a SageMaker endpoint bills besides its instances (SKUs: <c>data-in.gb</c>, <c>data-out.gb</c> processed, <c>storage.gb-month</c> of the instance's ML storage volume).</summary>
    public const string SageMakerEndpoint = "sagemaker.endpoint";

    /// <summary>Service key of AWS X-Ray (SKUs: <c>trace-recorded</c>, <c>trace-retrieved</c>).</summary>
    public const string XRay = "xray";

    /// <summary>Service key of public IPv4 addresses (SKU: <c>address-hour</c>, in use or idle).</summary>
    public const string PublicIpv4 = "vpc.public-ipv4";

    /// <summary>Service key of data transfer (SKU: <c>inter-az.gb</c>, billed in each direction).</summary>
    public const string DataTransfer = "data-transfer";

    /// <summary>
    /// Service key of DynamoDB, Standard table class (SKUs: <c>on-demand.write-request</c> and <c>on-demand.read-request</c>,
    /// per request unit; <c>storage.gb-month</c>; <c>pitr.gb-month</c>, continuous backups by table size).
    /// </summary>
    public const string DynamoDb = "dynamodb";

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

    /// <summary>
    /// Fraction of the on-demand price Spot usually saves (the file's <c>assumptions.ec2.spotDiscount</c>): expected
    /// Spot price = on-demand × (1 − this). Expected costs only; worst cases price Spot at on-demand.
    /// </summary>
    public double SpotDiscount { get; }

    /// <summary>Where the <see cref="SpotDiscount"/> assumption comes from.</summary>
    public string SpotDiscountSource { get; }

    /// <summary>The regions priced.</summary>
    public IReadOnlyCollection<string> Regions => _prices.Keys;

    private PriceTable(string version, string defaultRegion, IReadOnlyList<string> notes, Dictionary<string, Dictionary<string, Dictionary<string, Price>>> prices, double spotDiscount, string spotDiscountSource)
    {
        SpotDiscount = spotDiscount;
        SpotDiscountSource = spotDiscountSource;
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
                    var isVerified = !p.TryGetProperty("verified", out var verified) || verified.GetBoolean();
                    var note = p.TryGetProperty("note", out var noteValue) ? noteValue.GetString() : null;
                    // An unverified figure must say why, so a reader can tell a stand-in from a price.
                    if (!isVerified && string.IsNullOrWhiteSpace(note))
                        throw new FormatException($"price {region.Name}/{service.Name}/{sku.Name} is verified=false without a 'note' saying why.");
                    skus[sku.Name] = new Price(region.Name, service.Name, sku.Name, p.GetProperty("usd").GetDouble(), Required("unit"),
                        Required("source"), Required("date"), p.TryGetProperty("estimated", out var e) && e.GetBoolean())
                    {
                        Verified = isVerified,
                        Note = note,
                    };
                }
            }
        }
        var notes = root.TryGetProperty("notes", out var n) ? n.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : Array.Empty<string>();
        double spotDiscount = 0;
        var spotSource = "no Spot discount assumed";
        if (root.TryGetProperty("assumptions", out var assumptions) && assumptions.TryGetProperty("ec2.spotDiscount", out var spot))
        {
            spotDiscount = spot.GetProperty("value").GetDouble();
            if (spotDiscount is < 0 or >= 1) throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"assumptions.ec2.spotDiscount = {spotDiscount} must be in [0, 1)."));
            spotSource = $"{spot.GetProperty("source").GetString()} ({spot.GetProperty("date").GetString()}{(spot.TryGetProperty("estimated", out var est) && est.GetBoolean() ? ", estimated" : "")})";
        }
        return new PriceTable(root.GetProperty("version").GetString()!, root.GetProperty("defaultRegion").GetString()!, notes, prices, spotDiscount, spotSource);
    }

    private static PriceTable Load()
    {
        var assembly = typeof(PriceTable).Assembly;
        // Each assembly that embeds the file names its resource after its own root namespace.
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(".Cost.prices.json", StringComparison.Ordinal));
        using var stream = (name is null ? null : assembly.GetManifestResourceStream(name))
            ?? throw new InvalidOperationException("the embedded price table Cost/prices.json is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Whether the table prices <paramref name="region"/> (false for null: a region not known at synth time).</summary>
    public bool IsPriced(string? region) => region is not null && _prices.ContainsKey(region);

    /// <summary>
    /// The sentence the reports and the synth-time ceiling open with when <paramref name="region"/> is not priced: what
    /// the figures are instead, and how to fix it. Null when the region is priced.
    /// </summary>
    public string? UnpricedRegionNotice(string? region)
    {
        if (IsPriced(region)) return null;
        return region is null
            ? $"Region not known at synth time (an environment-agnostic stack): the figures use {DefaultRegion} prices. Give the stack an env with a region for its own prices."
            : $"UNPRICED REGION {region}: the price table (version {Version}) has no prices for {region}; the figures use {DefaultRegion} prices and may be far off. Priced regions: {string.Join(", ", _prices.Keys.Order(StringComparer.Ordinal))}.";
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
            : throw new KeyNotFoundException($"the price table (version {Version}) has no price for {service} '{sku}' in {region}; add it to src/Contracts/Cost/prices.json with its source and date.");

    /// <summary>Every price of a service in a region.</summary>
    public IEnumerable<Price> Prices(string region, string service) =>
        _prices.TryGetValue(region, out var services) && services.TryGetValue(service, out var skus) ? skus.Values : Enumerable.Empty<Price>();
}
