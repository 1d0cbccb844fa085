using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Constructs.Training;
using AwsModelPlatform.Contracts;

namespace AwsModelPlatform.Constructs.Tests.Cost;

/// <summary>The price table covers every type a construct accepts and every SKU the library prices.</summary>
public class PriceTableCoverageTests
{
    private static readonly PriceTable Table = PriceTable.Default;
    private static string Region => Table.DefaultRegion;

    [Fact]
    public void Every_SageMaker_hosting_type_the_endpoint_accepts_has_an_instance_hour_price()
    {
        var missing = SageMakerInstanceTypes.All.Where(t => !Table.TryGet(Region, PriceTable.SageMakerHosting, t.Name, out _)).Select(t => t.Name).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_EC2_GPU_type_training_accepts_has_an_on_demand_instance_hour_price()
    {
        var missing = GpuInstanceTypes.Supported.Where(t => !Table.TryGet(Region, PriceTable.Ec2OnDemand, t.Name, out _)).Select(t => t.Name).ToList();
        Assert.Empty(missing);
        Assert.All(GpuInstanceTypes.Supported, t => Assert.Equal("instance-hour", Table.Get(Region, PriceTable.Ec2OnDemand, t.Name).Unit));
    }

    [Theory]
    [InlineData(PriceTable.Lambda, "request")]
    [InlineData(PriceTable.Lambda, "x86.gb-second")]
    [InlineData(PriceTable.Lambda, "arm.gb-second")]
    [InlineData(PriceTable.Lambda, "x86.provisioned-concurrency.gb-second")]
    [InlineData(PriceTable.Lambda, "arm.provisioned-concurrency.gb-second")]
    [InlineData(PriceTable.ApiGatewayRest, "request")]
    [InlineData(PriceTable.NatGateway, "hour")]
    [InlineData(PriceTable.NatGateway, "gb-processed")]
    [InlineData(PriceTable.InterfaceEndpoint, "az-hour")]
    [InlineData(PriceTable.InterfaceEndpoint, "gb-processed")]
    [InlineData(PriceTable.Kms, "key-month")]
    [InlineData(PriceTable.Kms, "request")]
    [InlineData(PriceTable.CloudTrail, "data-event")]
    [InlineData(PriceTable.CloudWatch, "alarm.standard")]
    [InlineData(PriceTable.CloudWatch, "alarm.high-resolution")]
    [InlineData(PriceTable.CloudWatch, "alarm.composite")]
    [InlineData(PriceTable.CloudWatch, "alarm.anomaly-detection")]
    [InlineData(PriceTable.CloudWatch, "metric")]
    [InlineData(PriceTable.CloudWatch, "dashboard")]
    [InlineData(PriceTable.CloudWatch, "logs.ingestion")]
    [InlineData(PriceTable.CloudWatch, "logs.storage")]
    [InlineData(PriceTable.S3, "standard.storage")]
    [InlineData(PriceTable.S3, "glacier-flexible.storage")]
    [InlineData(PriceTable.S3, "put-request")]
    [InlineData(PriceTable.S3, "get-request")]
    [InlineData(PriceTable.Sns, "request")]
    [InlineData(PriceTable.Sns, "email-notification")]
    [InlineData(PriceTable.Waf, "web-acl")]
    [InlineData(PriceTable.Waf, "rule")]
    [InlineData(PriceTable.Waf, "request")]
    [InlineData(PriceTable.Ebs, "gp3.storage")]
    [InlineData(PriceTable.SageMakerServerless, "inference.gb-second")]
    [InlineData(PriceTable.SageMakerServerless, "provisioned-concurrency.gb-second")]
    [InlineData(PriceTable.SageMakerEndpoint, "data-in.gb")]
    [InlineData(PriceTable.SageMakerEndpoint, "data-out.gb")]
    [InlineData(PriceTable.SageMakerEndpoint, "storage.gb-month")]
    [InlineData(PriceTable.XRay, "trace-recorded")]
    [InlineData(PriceTable.XRay, "trace-retrieved")]
    [InlineData(PriceTable.PublicIpv4, "address-hour")]
    [InlineData(PriceTable.DataTransfer, "inter-az.gb")]
    [InlineData(PriceTable.Kms, "rotation-month")]
    [InlineData(PriceTable.CloudWatch, "logs.vended-ingestion")]
    [InlineData(PriceTable.CloudWatch, "logs.insights-scan")]
    [InlineData(PriceTable.Kms, "mac-request")]
    [InlineData(PriceTable.DynamoDb, "on-demand.write-request")]
    [InlineData(PriceTable.DynamoDb, "on-demand.read-request")]
    [InlineData(PriceTable.DynamoDb, "storage.gb-month")]
    [InlineData(PriceTable.DynamoDb, "pitr.gb-month")]
    public void Every_SKU_the_library_prices_is_in_the_table(string service, string sku) =>
        Assert.True(Table.TryGet(Region, service, sku, out _), $"{service}/{sku} has no price in {Region}");

    private static readonly string[] Services =
    {
        PriceTable.SageMakerHosting, PriceTable.SageMakerServerless, PriceTable.SageMakerEndpoint, PriceTable.Ec2OnDemand, PriceTable.Ebs, PriceTable.Lambda,
        PriceTable.ApiGatewayRest, PriceTable.NatGateway, PriceTable.InterfaceEndpoint, PriceTable.PublicIpv4, PriceTable.DataTransfer, PriceTable.Kms,
        PriceTable.CloudTrail, PriceTable.CloudWatch, PriceTable.XRay, PriceTable.S3, PriceTable.Sns, PriceTable.Waf, PriceTable.Ecr,
        PriceTable.DynamoDb,
    };

    private static List<Price> All => Table.Regions.SelectMany(r => Services.SelectMany(s => Table.Prices(r, s))).ToList();

    [Fact]
    public void Every_price_names_its_source_and_an_ISO_date_and_is_not_negative()
    {
        var all = All;
        Assert.True(all.Count > 600, $"only {all.Count} prices");
        Assert.All(all, p =>
        {
            Assert.StartsWith("https://", p.Source);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", p.Date);
            Assert.True(p.Usd >= 0, $"{p.Service}/{p.Sku} is negative");
        });
    }

    [Theory]
    [InlineData("us-west-2")]
    [InlineData("eu-west-1")]
    [InlineData("eu-central-1")]
    [InlineData("ap-northeast-1")]
    public void Every_priced_region_has_every_SKU_of_the_default_region(string region)
    {
        var missing = Services.SelectMany(s => Table.Prices(Region, s)).Where(p => !Table.TryGet(region, p.Service, p.Sku, out _))
            .Select(p => $"{p.Service}/{p.Sku}").ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_unverified_price_says_why_and_the_table_names_no_other_services()
    {
        Assert.All(All.Where(p => !p.Verified), p => Assert.False(string.IsNullOrWhiteSpace(p.Note), $"{p.Region}/{p.Service}/{p.Sku}"));
        // A service the table holds but this test does not list would escape the checks above.
        var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "src/Contracts/Cost/prices.json")));
        var services = doc.RootElement.GetProperty("regions").EnumerateObject().SelectMany(r => r.Value.EnumerateObject().Select(s => s.Name)).Distinct();
        Assert.All(services, s => Assert.Contains(s, Services));
    }

    [Fact]
    public void An_unverified_price_without_a_note_is_refused()
    {
        const string json = """{"version":"1","currency":"USD","defaultRegion":"r","regions":{"r":{"s":{"k":{"usd":1,"unit":"u","source":"https://x","date":"2026-01-01","verified":false}}}}}""";
        Assert.Contains("verified=false without a 'note'", Assert.Throws<FormatException>(() => PriceTable.Parse(json)).Message);
        var noted = PriceTable.Parse(json.Replace("\"verified\":false", "\"verified\":false,\"note\":\"not found\""));
        Assert.False(noted.Get("r", "s", "k").Verified);
        Assert.True(PriceTable.Parse(json.Replace(",\"verified\":false", "")).Get("r", "s", "k").Verified);
    }

    // AWS cut the on-demand prices of P4d and P5 (up to 45 %) in June 2025: a figure read before then is stale.
    [Theory]
    [InlineData(PriceTable.Ec2OnDemand, "p4d.24xlarge")]
    [InlineData(PriceTable.Ec2OnDemand, "p5.48xlarge")]
    [InlineData(PriceTable.SageMakerHosting, "ml.p4d.24xlarge")]
    [InlineData(PriceTable.SageMakerHosting, "ml.p5.48xlarge")]
    public void The_P4d_and_P5_prices_were_read_after_AWS_cut_them_in_June_2025(string service, string sku)
    {
        var price = Table.Get(Region, service, sku);
        Assert.True(string.CompareOrdinal(price.Date, "2025-06-30") > 0, $"{sku} was read {price.Date}");
        Assert.False(price.Estimated, $"{sku} is still marked estimated");
        if (service == PriceTable.Ec2OnDemand) Assert.True(price.Verified, $"{sku} is not verified");
    }

    // AWS halved DynamoDB's on-demand throughput prices in November 2024 (a write request unit went from $1.25 to $0.625
    // per million in us-east-1): a figure read before then is twice the bill.
    [Theory]
    [InlineData("on-demand.write-request", 0.625)]
    [InlineData("on-demand.read-request", 0.125)]
    public void DynamoDB_on_demand_prices_were_read_after_AWS_halved_them_in_November_2024(string sku, double usdPerMillion)
    {
        var price = Table.Get(Region, PriceTable.DynamoDb, sku);
        Assert.True(string.CompareOrdinal(price.Date, "2024-11-30") > 0, $"{sku} was read {price.Date}");
        Assert.Equal(usdPerMillion, price.Usd * 1_000_000, 9);
        Assert.True(price.Verified, $"{sku} is not verified in {Region}");
        // No region still carries a pre-cut figure (twice the current one).
        Assert.All(Table.Regions, r => Assert.True(Table.Get(r, PriceTable.DynamoDb, sku).Usd < 2 * price.Usd, $"{r} {sku} predates the cut"));
    }

    // SageMaker marks an instance up over its EC2 price by one factor per size, the same across the G families
    // (xlarge 1.40, 2xlarge and up 1.25): a price off that factor was mistyped or derived with the wrong one.
    [Theory]
    [InlineData("xlarge")]
    [InlineData("2xlarge")]
    [InlineData("4xlarge")]
    [InlineData("12xlarge")]
    [InlineData("16xlarge")]
    [InlineData("24xlarge")]
    [InlineData("48xlarge")]
    public void SageMaker_marks_each_G_size_up_over_EC2_by_the_same_factor_in_every_family(string size)
    {
        double Markup(string family) => Table.Get(Region, PriceTable.SageMakerHosting, $"ml.{family}.{size}").Usd / Table.Get(Region, PriceTable.Ec2OnDemand, $"{family}.{size}").Usd;
        var g5 = Markup("g5");
        Assert.All(new[] { "g6", "g6e" }, f => Assert.True(Math.Abs(Markup(f) / g5 - 1) < 0.005, $"ml.{f}.{size} marks up {Markup(f):0.###} over EC2, ml.g5.{size} {g5:0.###}"));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AwsModelPlatform.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void The_spot_discount_is_a_documented_fraction_of_on_demand()
    {
        Assert.Equal(0.6, Table.SpotDiscount);
        Assert.Contains("spot", Table.SpotDiscountSource, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("estimated", Table.SpotDiscountSource);
    }

    [Fact]
    public void A_spot_discount_outside_0_to_1_is_refused()
    {
        const string json = """{"version":"1","currency":"USD","defaultRegion":"r","assumptions":{"ec2.spotDiscount":{"value":1.2,"source":"s","date":"2025-01-01"}},"regions":{"r":{}}}""";
        Assert.Contains("spotDiscount", Assert.Throws<FormatException>(() => PriceTable.Parse(json)).Message);
    }
}
