using System.Text.Json.Nodes;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>The sample's Inference stack against the real SageMaker API shapes, and its cost record.</summary>
[Collection(SampleAppCollection.Name)]
public class SampleInferenceStackTests(SynthesizedApp app)
{
    [Fact]
    public void Every_SageMaker_resource_of_the_Inference_stack_passes_botocore_validation()
    {
        // Foundation's template resolves the Fn::ImportValue of the platform's key, subnets and topic.
        var script = Repo.Path("tests", "Constructs.Tests", "Inference", "sagemaker_shapes.py");
        var result = Repo.Run("python3", new[] { script, "validate", app.Templates["Inference"], app.Templates["Foundation"] }, Repo.Root, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, "botocore refused the Inference stack:\n" + result.Output + result.Error);
        var operations = JsonNode.Parse(result.Output)!["checked"]!.AsArray().Select(c => c!["operation"]!.GetValue<string>()).ToList();
        // The LLM and its fallback (inference components scaled to zero) and the async endpoint.
        Assert.Equal(3, operations.Count(o => o == "CreateEndpoint"));
        Assert.Equal(2, operations.Count(o => o == "CreateInferenceComponent"));
    }

    [Fact]
    public void Every_endpoint_records_its_worst_case_cost()
    {
        var resources = JsonNode.Parse(File.ReadAllText(app.Templates["Inference"]))!["Resources"]!.AsObject();
        var costs = resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::SageMaker::Endpoint")
            .Select(r => r.Value!["Metadata"]!["AwsModelPlatform:Cost"]!["worstCaseHourlyUsd"]!.GetValue<double>()).OrderBy(c => c).ToList();
        // MaxInstances × the instance's hourly price: the fallback 1 × ml.g6.xlarge, the async 2 × ml.g5.xlarge, the LLM 2 × ml.g5.2xlarge.
        Assert.Equal(new[] { 1.1267, 2 * 1.408, 2 * 1.515 }, costs, new ToleranceComparer(1e-6));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
