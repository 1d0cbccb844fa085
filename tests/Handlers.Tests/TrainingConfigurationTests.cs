using System.Net;
using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>Training configuration: what startup refuses, naming the key, and the defaults.</summary>
public sealed class TrainingConfigurationTests : TrainingTestSupport
{
    [Theory]
    [InlineData("Training:JobQueue", null, "Training:JobQueue is required")]
    [InlineData("Training:KeyId", "", "Training:KeyId is required")]
    [InlineData("Training:AllowedInstanceTypes", "g5.12xlarge,m5.large", "'m5.large' is not a supported GPU instance type")]
    [InlineData("Training:DatasetsBucket", "Not_A_Bucket", "Training:DatasetsBucket")]
    [InlineData("Training:JobDefinitions:0:BatchName", "bad name!", "Training:JobDefinitions:0:BatchName (definition 'finetune')")]
    [InlineData("Training:MaxRuntimeSeconds", "30", "below Batch's minimum")]
    [InlineData("Training:JobVisibility", "Everyone", "'Everyone' is not Caller or Shared")]
    [InlineData("Training:JobDefinitions:0:Gpus", "5", "Training:JobDefinitions:0:Gpus (definition 'finetune'): '5' is not a GPU count of 1..4")]
    [InlineData("Training:JobDefinitions:0:AttemptTimeoutSeconds", "59", "Training:JobDefinitions:0:AttemptTimeoutSeconds (definition 'finetune'): '59' is not an attempt timeout")]
    [InlineData("Training:JobTag", null, "Training:JobTag is required")]
    [InlineData("Training:JobTag", "queue,other", "Training:JobTag: 'queue,other' is not a Batch tag value")]
    [InlineData("Training:JobQueueCapacity", "Reserved", "Training:JobQueueCapacity: 'Reserved' is not OnDemand, Spot, SpotThenOnDemand")]
    [InlineData("Training:InstanceTypes", "g5.12xlarge,big", "Training:InstanceTypes: 'big' is not an EC2 instance type")]
    public void Incomplete_or_invalid_configuration_fails_naming_the_key(string key, string? value, string message)
    {
        var values = new Dictionary<string, string?>(Config) { [key] = value };
        var e = Assert.Throws<OptionsValidationException>(() => Catalog(values));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(null, nameof(JobCapacity.OnDemand))]
    [InlineData("spot", nameof(JobCapacity.Spot))]
    [InlineData("SpotThenOnDemand", nameof(JobCapacity.SpotThenOnDemand))]
    public void A_queue_is_priced_on_demand_unless_configured_spot(string? value, string expected)
    {
        var values = new Dictionary<string, string?>(Config) { ["Training:JobQueueCapacity"] = value };
        Assert.Equal(expected, Catalog(values).JobQueueCapacity.ToString());
    }

    [Fact]
    public void The_types_batch_chooses_from_are_the_allowed_ones_unless_configured()
    {
        Assert.Equal(["g5.12xlarge"], Catalog(Config).InstanceTypes);
        var values = new Dictionary<string, string?>(Config) { ["Training:InstanceTypes"] = "g5.12xlarge, g6.12xlarge" };
        Assert.Equal(["g5.12xlarge", "g6.12xlarge"], Catalog(values).InstanceTypes);
    }

    [Theory]
    [InlineData(null, nameof(JobVisibility.Caller))]
    [InlineData("caller", nameof(JobVisibility.Caller))]
    [InlineData("Shared", nameof(JobVisibility.Shared))]
    public void Job_visibility_is_caller_unless_configured_shared(string? value, string expected)
    {
        var values = new Dictionary<string, string?>(Config) { ["Training:JobVisibility"] = value };
        Assert.Equal(expected, Catalog(values).JobVisibility.ToString());
    }

    [Fact]
    public void No_training_section_means_not_configured_501()
    {
        var catalog = Catalog([]);
        Assert.False(catalog.IsConfigured);
        Assert.Equal(501, Assert.Throws<ApiProblemException>(() => catalog.EnsureConfigured()).Problem.Status);
    }
}
