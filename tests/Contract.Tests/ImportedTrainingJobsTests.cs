using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.ECS;
using AwsModelPlatform.Constructs.Foundation;
using AwsModelPlatform.Constructs.Training;

namespace AwsModelPlatform.Contract.Tests;

/// <summary>
/// A <see cref="TrainingApi"/> in a stack of its own, in front of a <see cref="TrainingJobs"/> of another stack: over
/// the construct itself, and over <see cref="TrainingJobs.FromTrainingJobsAttributes"/> made of its public members.
/// </summary>
public class ImportedTrainingJobsTests
{
    [Fact]
    public async Task A_training_API_over_imported_jobs_gets_the_environment_and_grants_it_gets_over_the_construct_and_its_handler_starts()
    {
        var overConstruct = ApiStack(imported: false);
        var overImport = ApiStack(imported: true);

        Assert.Equal(Sorted(overConstruct.Function.Environment), Sorted(overImport.Function.Environment));
        Assert.Contains("Training__MultiNodeJobQueue", overImport.Function.Environment.Keys);
        Assert.Equal(Policies(overConstruct.Template), Policies(overImport.Template));
        Assert.Contains(Policies(overImport.Template).Values, p => p.Contains("batch:SubmitJob") && p.Contains("Fn::ImportValue"));

        await using var handler = await InProcessHandler.StartAsync(overImport.Function.Environment);
        var readiness = overImport.Function.Environment["AWS_LWA_READINESS_CHECK_PATH"];
        Assert.Equal(overImport.Function.ApiGatewayMethods.Order(StringComparer.Ordinal),
            handler.MappedRoutes.Where(r => r != $"GET {readiness}").Order(StringComparer.Ordinal));
    }

    private static (JsonNode Template, SynthesizedFunction Function) ApiStack(bool imported)
    {
        var app = new App();
        var env = new Amazon.CDK.Environment { Account = "111122223333", Region = "us-east-1" };
        var jobsStack = new Stack(app, "Jobs", new StackProps { Env = env });
        var image = ContainerImage.FromRegistry("example.com/train:1");
        var jobs = new TrainingJobs(jobsStack, "Training", new TrainingJobsProps
        {
            Platform = new ModelPlatform(jobsStack, "Platform"),
            InstanceTypes = ["g5.12xlarge"],
            MaxVCpus = 192,
            OnDemandFallback = true,
            JobDefinitions =
            [
                new TrainingJobDefinitionOptions { Name = "finetune", Image = image, Gpus = 4, AttemptTimeout = Duration.Hours(6) },
                new TrainingJobDefinitionOptions { Name = "ddp", Image = image, Gpus = 4, Nodes = 2, MaxNodes = 4 },
            ],
        });

        var apiStack = new Stack(app, "Api", new StackProps { Env = env });
        var training = imported
            ? TrainingJobs.FromTrainingJobsAttributes(apiStack, "Jobs", new TrainingJobsAttributes
            {
                Platform = jobs.Platform,
                JobQueueArn = jobs.JobQueueArn,
                MultiNodeJobQueueArn = jobs.MultiNodeJobQueueArn,
                InstanceTypes = jobs.InstanceTypes,
                JobQueueCapacity = jobs.JobQueueCapacity,
                JobDefinitions = jobs.JobDefinitions,
                JobTagValue = jobs.JobTagValue,
                DatasetsBucket = jobs.DatasetsBucket,
                CheckpointsBucket = jobs.CheckpointsBucket,
                OutputBucket = jobs.OutputBucket,
            })
            : jobs;
        var api = new TrainingApi(apiStack, "Api", new TrainingApiProps { Training = training, HandlerDirectory = FakeHandler.Directory });
        var template = SynthesizedFunction.TemplateOf(apiStack);
        return (template, SynthesizedFunction.Of(apiStack, template, api.Handler));
    }

    private static List<KeyValuePair<string, string>> Sorted(IReadOnlyDictionary<string, string> environment) =>
        environment.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();

    private static SortedDictionary<string, string> Policies(JsonNode template) => new(template["Resources"]!.AsObject()
        .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::Policy")
        .ToDictionary(r => r.Key, r => r.Value!["Properties"]!["PolicyDocument"]!.ToJsonString()), StringComparer.Ordinal);
}
