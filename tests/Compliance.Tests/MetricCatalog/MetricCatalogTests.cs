using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests.MetricCatalog;

/// <summary>
/// Every alarm, dashboard widget and scaling policy watches a metric AWS publishes, with the exact dimension set AWS
/// publishes it with, for the kind of endpoint it points at (metric-catalog.json): emulators accept any metric, and an
/// alarm on a metric that never exists stays OK forever.
/// </summary>
[Collection(SampleAppCollection.Name)]
public class MetricCatalogTests(SynthesizedApp sample, HostingModesApp modes) : IClassFixture<HostingModesApp>
{
    private static readonly AwsMetricCatalog Catalog = AwsMetricCatalog.Default;

    public static IEnumerable<object[]> SampleStacks() => new[] { "Foundation", "Inference", "Training" }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(SampleStacks))]
    public void Every_metric_the_sample_app_watches_is_published_by_AWS_with_that_dimension_set(string stack)
    {
        var template = Read(sample.Templates[stack]);
        Assert.NotEmpty(MetricReferences.From(template));
        var violations = Catalog.Violations(template);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void Every_hosting_mode_watches_only_metrics_its_endpoints_publish()
    {
        var template = modes.Template;
        var kinds = MetricReferences.From(template).Select(r => r.EndpointKind).Where(k => k is not null).ToHashSet();
        Assert.Equal(new HashSet<string?> { "realtime", "serverless", "async", "inference-component" }, kinds);
        Assert.Contains(MetricReferences.PredefinedScaling(template), p => p.EndpointKind == "realtime");
        Assert.Contains(MetricReferences.PredefinedScaling(template), p => p.EndpointKind == "inference-component");
        var violations = Catalog.Violations(template);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void An_alarm_on_a_dimension_set_AWS_never_publishes_is_a_violation()
    {
        // Async failures are published per endpoint AND variant; an alarm on the endpoint alone never fires.
        var template = AsyncEndpointWith(Alarm("AWS/SageMaker", "InvocationFailures", ("EndpointName", "jobs")));
        var violation = Assert.Single(Catalog.Violations(template));
        Assert.Contains("never published", violation);
        Assert.Contains("[EndpointName, VariantName]", violation);
    }

    [Fact]
    public void A_metric_the_endpoint_kind_does_not_publish_is_a_violation()
    {
        // Async endpoints publish no Invocations (they count InvocationsProcessed).
        var template = AsyncEndpointWith(Alarm("AWS/SageMaker", "Invocations", ("EndpointName", "jobs"), ("VariantName", "AllTraffic")));
        Assert.Contains("an async endpoint does not publish it", Assert.Single(Catalog.Violations(template)));
    }

    [Fact]
    public void A_metric_missing_from_the_catalog_is_a_violation_and_a_dashboard_row_is_read_through_its_tokens()
    {
        var dashboard = new JsonObject
        {
            ["Type"] = "AWS::CloudWatch::Dashboard",
            ["Properties"] = new JsonObject
            {
                ["DashboardBody"] = new JsonObject
                {
                    ["Fn::Join"] = new JsonArray("", new JsonArray(
                        "{\"widgets\":[{\"type\":\"metric\",\"properties\":{\"title\":\"t\",\"metrics\":[[\"AWS/SageMaker\",\"InvocationsProcessed\",\"EndpointName\",\"",
                        new JsonObject { ["Ref"] = "Name" },
                        "\",\"VariantName\",\"AllTraffic\"],[\".\",\"GPUHours\",\".\",\".\",\".\",\".\"]]}}]}")),
                },
            },
        };
        var template = AsyncEndpointWith(dashboard);
        var references = MetricReferences.From(template).ToList();
        Assert.Equal(2, references.Count);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["Ref"] = "Name" }, references[0].Dimensions["EndpointName"]));
        Assert.Contains("GPUHours is not in the metric catalog", Assert.Single(Catalog.Violations(template)));
    }

    [Fact]
    public void A_predefined_scaling_metric_on_the_wrong_scalable_dimension_is_a_violation()
    {
        var template = new JsonObject
        {
            ["Resources"] = new JsonObject
            {
                ["Target"] = new JsonObject
                {
                    ["Type"] = "AWS::ApplicationAutoScaling::ScalableTarget",
                    ["Properties"] = new JsonObject { ["ResourceId"] = "inference-component/llm", ["ScalableDimension"] = "sagemaker:inference-component:DesiredCopyCount" },
                },
                ["Policy"] = new JsonObject
                {
                    ["Type"] = "AWS::ApplicationAutoScaling::ScalingPolicy",
                    ["Properties"] = new JsonObject
                    {
                        ["ScalingTargetId"] = new JsonObject { ["Ref"] = "Target" },
                        ["TargetTrackingScalingPolicyConfiguration"] = new JsonObject
                        {
                            ["PredefinedMetricSpecification"] = new JsonObject { ["PredefinedMetricType"] = "SageMakerVariantInvocationsPerInstance" },
                        },
                    },
                },
            },
        };
        Assert.Contains("scales sagemaker:variant:DesiredInstanceCount", Assert.Single(Catalog.Violations(template)));
    }

    [Fact]
    public void Every_catalog_entry_cites_an_AWS_page_or_the_handler_code_that_emits_it_once()
    {
        Assert.All(Catalog.Metrics, e => Assert.True(
            e.Source.StartsWith("https://docs.aws.amazon.com/", StringComparison.Ordinal) || File.Exists(Repo.Path(e.Source.Split('/'))),
            $"{e.Namespace} {e.Name}: '{e.Source}' is neither an AWS documentation page nor a file of the repository"));
        Assert.All(Catalog.PredefinedScalingMetrics, p => Assert.StartsWith("https://docs.aws.amazon.com/", p.Doc));
        var duplicate = Catalog.Metrics.GroupBy(e => (e.Namespace, e.Name, string.Join(",", e.Dimensions.Order(StringComparer.Ordinal)))).FirstOrDefault(g => g.Count() > 1);
        Assert.True(duplicate is null, $"{duplicate?.Key} is listed twice");
    }

    private static JsonObject Read(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    private static JsonObject Alarm(string @namespace, string name, params (string Name, string Value)[] dimensions) => new()
    {
        ["Type"] = "AWS::CloudWatch::Alarm",
        ["Properties"] = new JsonObject
        {
            ["Namespace"] = @namespace,
            ["MetricName"] = name,
            ["Dimensions"] = new JsonArray(dimensions.Select(d => (JsonNode)new JsonObject { ["Name"] = d.Name, ["Value"] = d.Value }).ToArray()),
        },
    };

    // A template with one async endpoint named "jobs" and the resource under test.
    private static JsonObject AsyncEndpointWith(JsonObject resource) => new()
    {
        ["Resources"] = new JsonObject
        {
            ["Config"] = new JsonObject
            {
                ["Type"] = "AWS::SageMaker::EndpointConfig",
                ["Properties"] = new JsonObject
                {
                    ["ProductionVariants"] = new JsonArray(new JsonObject { ["ModelName"] = "m", ["VariantName"] = "AllTraffic" }),
                    ["AsyncInferenceConfig"] = new JsonObject(),
                },
            },
            ["Endpoint"] = new JsonObject
            {
                ["Type"] = "AWS::SageMaker::Endpoint",
                ["Properties"] = new JsonObject
                {
                    ["EndpointName"] = "jobs",
                    ["EndpointConfigName"] = new JsonObject { ["Fn::GetAtt"] = new JsonArray("Config", "EndpointConfigName") },
                },
            },
            ["UnderTest"] = resource,
        },
    };
}
