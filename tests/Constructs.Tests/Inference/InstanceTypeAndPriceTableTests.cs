using AwsModelPlatform.Constructs.Cost;
using AwsModelPlatform.Constructs.Inference;
using AwsModelPlatform.Contracts;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>The instance-type table (NVMe storage decides the volume KMS key) and the price table it is priced from.</summary>
public class InstanceTypeAndPriceTableTests
{
    [Theory]
    [InlineData("ml.g4dn.xlarge")]
    [InlineData("ml.g5.2xlarge")]
    [InlineData("ml.g6.12xlarge")]
    [InlineData("ml.g6e.48xlarge")]
    [InlineData("ml.p4d.24xlarge")]
    [InlineData("ml.p5.48xlarge")]
    public void Types_with_local_NVMe_storage_take_no_volume_KMS_key(string type) =>
        Assert.False(SageMakerInstanceTypes.Get(type).AcceptsVolumeKmsKey);

    [Theory]
    [InlineData("ml.p3.2xlarge")]
    [InlineData("ml.inf2.xlarge")]
    [InlineData("ml.m5.large")]
    [InlineData("ml.c5.xlarge")]
    [InlineData("ml.t2.medium")]
    public void EBS_only_types_take_the_volume_KMS_key(string type) =>
        Assert.True(SageMakerInstanceTypes.Get(type).AcceptsVolumeKmsKey);

    [Fact]
    public void Every_family_with_instance_storage_is_marked_so()
    {
        var nvmeFamilies = SageMakerInstanceTypes.All.Where(t => t.HasLocalNvmeStorage).Select(t => t.Name.Split('.')[1]).Distinct().OrderBy(f => f);
        Assert.Equal(new[] { "g4dn", "g5", "g6", "g6e", "p4d", "p5" }, nvmeFamilies);
    }

    [Fact]
    public void Every_accepted_instance_type_has_a_price_with_source_and_date()
    {
        var table = PriceTable.Default;
        foreach (var type in SageMakerInstanceTypes.All)
        {
            Assert.True(table.TryGet(table.DefaultRegion, PriceTable.SageMakerHosting, type.Name, out var price), $"{type.Name} has no price");
            Assert.True(price.Usd > 0);
            Assert.StartsWith("https://", price.Source);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", price.Date);
        }
    }

    [Fact]
    public void Every_accepted_type_is_one_the_SageMaker_API_knows()
    {
        // The same enum botocore checks (see sagemaker_shapes.py); listed here so a typo in the table fails fast.
        Assert.All(SageMakerInstanceTypes.All, t => Assert.Matches(@"^ml\.(t2|m5|c5|g4dn|g5|g6|g6e|p3|p4d|p5|inf2)\.(medium|large|\d*xlarge)$", t.Name));
    }

    [Fact]
    public void Gpu_counts_of_the_multi_GPU_sizes()
    {
        Assert.Equal(4, SageMakerInstanceTypes.Get("ml.g4dn.12xlarge").Accelerators);
        Assert.Equal(8, SageMakerInstanceTypes.Get("ml.g5.48xlarge").Accelerators);
        Assert.Equal(8, SageMakerInstanceTypes.Get("ml.p4d.24xlarge").Accelerators);
        Assert.False(SageMakerInstanceTypes.Get("ml.inf2.48xlarge").IsGpu);
        Assert.True(SageMakerInstanceTypes.Get("ml.t2.medium").IsBurstable);
    }

    [Fact]
    public void Price_table_has_a_version_notes_and_a_default_region()
    {
        var table = PriceTable.Default;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}\.\d+$", table.Version);
        Assert.Equal("us-east-1", table.DefaultRegion);
        Assert.NotEmpty(table.Notes);
        Assert.Equal("eu-central-1", table.PricedRegion("eu-central-1"));
        Assert.Equal("us-east-1", table.PricedRegion("sa-east-1")); // not priced: falls back
        Assert.Equal("us-east-1", table.PricedRegion(null));
    }

    [Fact]
    public void Estimated_prices_say_how_they_were_derived()
    {
        // Outside us-east-1, SageMaker GPU prices are the region's EC2 price × the us-east-1 SageMaker markup.
        var dublin = PriceTable.Default.Get("eu-west-1", PriceTable.SageMakerHosting, "ml.g5.2xlarge");
        Assert.True(dublin.Estimated);
        Assert.False(dublin.Verified);
        Assert.Contains("x 1.25", dublin.Source);
        Assert.False(PriceTable.Default.Get("us-east-1", PriceTable.SageMakerHosting, "ml.g5.2xlarge").Estimated);
    }

    [Fact]
    public void A_missing_price_names_what_to_add_and_where()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => PriceTable.Default.Get("us-east-1", PriceTable.SageMakerHosting, "ml.x9.huge"));
        Assert.Contains("no price for sagemaker.hosting 'ml.x9.huge' in us-east-1; add it to src/Contracts/Cost/prices.json", error.Message);
    }

    [Fact]
    public void A_price_without_source_or_date_is_refused()
    {
        const string json = """{"version":"1","currency":"USD","defaultRegion":"r","regions":{"r":{"s":{"k":{"usd":1,"unit":"hour","date":"2025-01-01"}}}}}""";
        var error = Assert.Throws<FormatException>(() => PriceTable.Parse(json));
        Assert.Equal("price r/s/k has no 'source'.", error.Message);
    }

    [Fact]
    public void Parsed_table_lists_the_prices_of_a_service()
    {
        const string json = """{"version":"1","currency":"USD","defaultRegion":"r","regions":{"r":{"lambda":{"x86.gb-second":{"usd":0.0000166667,"unit":"GB-second","source":"https://aws.amazon.com/lambda/pricing/","date":"2025-01-01"},"requests":{"usd":0.0000002,"unit":"request","source":"https://aws.amazon.com/lambda/pricing/","date":"2025-01-01"}}}}}""";
        var table = PriceTable.Parse(json);
        Assert.Equal(new[] { "requests", "x86.gb-second" }, table.Prices("r", "lambda").Select(p => p.Sku).OrderBy(s => s));
        Assert.Empty(table.Prices("r", "none"));
    }
}
