using System.Text.Json.Nodes;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// The sample's Batch instance role, as synthesized, judged by the IAM simulator: on EC2, ECS pulls a job's image from
/// a private ECR repository with the container instance role ("Using Amazon ECR images with Amazon ECS",
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html), so without these grants no job starts.
/// </summary>
[Collection(BuiltSampleApp.Collection)]
public class TrainingInstanceRoleTests(BuiltSampleApp app)
{
    private const string Account = MotoAccount.Account;
    private const string Region = MotoAccount.Region;

    /// <summary>The sample's training image repository (cdk/SampleApp.cs: context <c>trainingImageRepository</c>, default <c>training</c>).</summary>
    private static readonly string Repository = $"arn:aws:ecr:{Region}:{Account}:repository/training";

    private PolicySimulator Simulator()
    {
        var role = app.Training["Resources"]!.AsObject()
            .Single(r => r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::Role" && r.Value["Properties"]!["AssumeRolePolicyDocument"]!.ToJsonString().Contains("\"ec2.amazonaws.com\"")).Key;
        var policy = new Intrinsics(app.Training, app.Foundation, Account, Region, MotoAccount.PlaceholderKeyArn).RolePolicy(role);
        return new PolicySimulator($"arn:aws:iam::{Account}:role/{role}", Account, policy, new Dictionary<string, JsonObject>());
    }

    [Fact]
    public void Training_instances_may_pull_the_samples_image_from_its_ECR_repository()
    {
        using var iam = Simulator();
        foreach (var action in new[] { "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability" })
        {
            var decision = iam.Decide(action, Repository);
            Assert.True(decision.Allowed, $"{action} on {Repository}: {decision.Result} {decision.Detail}");
        }
        Assert.True(iam.Decide("ecr:GetAuthorizationToken", "*").Allowed);
    }

    [Fact]
    public void Training_instances_may_not_pull_from_other_repositories_nor_push()
    {
        using var iam = Simulator();
        Assert.Equal("ImplicitlyDenied", iam.Decide("ecr:BatchGetImage", $"arn:aws:ecr:{Region}:{Account}:repository/someone-elses-images").Result);
        Assert.Equal("ImplicitlyDenied", iam.Decide("ecr:GetDownloadUrlForLayer", $"arn:aws:ecr:{Region}:210987654321:repository/training").Result);
        Assert.Equal("ImplicitlyDenied", iam.Decide("ecr:PutImage", Repository).Result);
        Assert.Equal("ImplicitlyDenied", iam.Decide("ecr:InitiateLayerUpload", Repository).Result);
    }
}
