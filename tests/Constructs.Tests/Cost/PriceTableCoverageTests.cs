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
    public void Every_SKU_the_library_prices_is_in_the_table(string service, string sku) =>
        Assert.True(Table.TryGet(Region, service, sku, out _), $"{service}/{sku} has no price in {Region}");

    [Fact]
    public void Every_price_names_its_source_and_an_ISO_date_and_is_not_negative()
    {
        var all = Table.Regions.SelectMany(r => new[] { PriceTable.SageMakerHosting, PriceTable.SageMakerServerless, PriceTable.Ec2OnDemand, PriceTable.Ebs, PriceTable.Lambda,
            PriceTable.ApiGatewayRest, PriceTable.NatGateway, PriceTable.InterfaceEndpoint, PriceTable.Kms, PriceTable.CloudTrail, PriceTable.CloudWatch, PriceTable.S3,
            PriceTable.Sns, PriceTable.Waf, PriceTable.Ecr }.SelectMany(s => Table.Prices(r, s))).ToList();
        Assert.True(all.Count > 110, $"only {all.Count} prices");
        Assert.All(all, p =>
        {
            Assert.StartsWith("https://aws.amazon.com/", p.Source);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", p.Date);
            Assert.True(p.Usd >= 0, $"{p.Service}/{p.Sku} is negative");
        });
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
