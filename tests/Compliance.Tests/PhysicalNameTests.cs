using System.Text.Json.Nodes;
using Amazon.CDK;
using AwsModelPlatform.Cdk;

namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// The sample app deployed four times into one account: two regions, two project names, as a team deploys its
/// platform to a second region or a second team deploys its own. Each synthesized as <c>cdk deploy -c account=...
/// -c region=... -c projectName=...</c> would.
/// </summary>
public sealed class FourDeployments : IDisposable
{
    public const string Account = "111122223333";
    public static readonly string[] Regions = { "us-east-1", "eu-west-1" };
    // The same first nine characters: the slug of both names is the same, only the platform's hash tells them apart.
    public static readonly string[] Projects = { "llm-serving-a", "llm-serving-b" };

    public sealed record Deployment(string Region, string Project, IReadOnlyDictionary<string, JsonObject> Templates)
    {
        public override string ToString() => $"{Project} in {Region}";
    }

    private readonly string _root = Directory.CreateTempSubdirectory("amp-names-").FullName;

    public IReadOnlyList<Deployment> Deployments { get; }

    public FourDeployments()
    {
        NodeWarnings.Silence();
        var handler = Directory.CreateDirectory(Path.Combine(_root, "handler")).FullName;
        File.WriteAllText(Path.Combine(handler, "bootstrap"), "#!/bin/sh\n");
        var deployments = new List<Deployment>();
        foreach (var region in Regions)
        foreach (var project in Projects)
        {
            var context = CdkJson.Context(Repo.Path("cdk.json")) ?? new Dictionary<string, object>();
            context[Cdk.SampleContext.HandlerDirectory] = handler;
            context["account"] = Account;
            context["region"] = region;
            context[Cdk.SampleContext.ProjectName] = project;
            var app = new App(new AppProps { Outdir = Path.Combine(_root, $"{region}-{project}"), Context = context });
            SampleApp.Build(app);
            var assembly = app.Synth();
            deployments.Add(new Deployment(region, project, assembly.Stacks.ToDictionary(s => s.StackName,
                s => JsonNode.Parse(File.ReadAllText(Path.Combine(assembly.Directory, s.TemplateFile)))!.AsObject())));
        }
        Deployments = deployments;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

/// <summary>
/// Every physical name the library sets is unique in the scope AWS makes it unique in, for every (account, region,
/// platform): a name whose scope is the account (or that a multi-region trail replicates into every region) never
/// repeats across regions and projects, a bucket name never repeats anywhere, and a name whose scope is the region
/// never repeats within one.
/// </summary>
public class PhysicalNameTests(FourDeployments app) : IClassFixture<FourDeployments>
{
    private enum Scope { Global, Account, Region }

    /// <summary>The properties that name a resource, with the scope AWS keeps the name unique in.</summary>
    private static readonly (string Type, string Property, Scope Scope, string Why)[] Names =
    {
        ("AWS::S3::Bucket", "BucketName", Scope.Global, "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html: unique across all accounts in the partition"),
        ("AWS::Budgets::Budget", "Budget.BudgetName", Scope.Account, "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html: unique within an account"),
        ("AWS::CE::AnomalyMonitor", "MonitorName", Scope.Account, "Cost Explorer is one service per account (ce.us-east-1.amazonaws.com)"),
        ("AWS::CE::AnomalySubscription", "SubscriptionName", Scope.Account, "Cost Explorer is one service per account (ce.us-east-1.amazonaws.com)"),
        ("AWS::CloudTrail::Trail", "TrailName", Scope.Account, "a multi-region trail exists in every region under its name (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html)"),
        ("AWS::CloudWatch::Dashboard", "DashboardName", Scope.Account, "CloudWatch dashboards are global to the account"),
        ("AWS::IAM::Role", "RoleName", Scope.Account, "IAM is global to the account"),
        ("AWS::IAM::ManagedPolicy", "ManagedPolicyName", Scope.Account, "IAM is global to the account"),
        ("AWS::IAM::InstanceProfile", "InstanceProfileName", Scope.Account, "IAM is global to the account"),
        ("AWS::KMS::Alias", "AliasName", Scope.Region, "unique per account and region"),
        ("AWS::Lambda::Function", "FunctionName", Scope.Region, "unique per account and region"),
        ("AWS::Logs::LogGroup", "LogGroupName", Scope.Region, "unique per account and region"),
        ("AWS::SNS::Topic", "TopicName", Scope.Region, "unique per account and region"),
        ("AWS::SQS::Queue", "QueueName", Scope.Region, "unique per account and region"),
        ("AWS::SageMaker::Endpoint", "EndpointName", Scope.Region, "unique per account and region"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfigName", Scope.Region, "unique per account and region"),
        ("AWS::SageMaker::Model", "ModelName", Scope.Region, "unique per account and region"),
        ("AWS::SageMaker::InferenceComponent", "InferenceComponentName", Scope.Region, "unique per account and region"),
        ("AWS::Batch::JobDefinition", "JobDefinitionName", Scope.Region, "a second definition of the name becomes a revision of the first"),
        ("AWS::Batch::JobQueue", "JobQueueName", Scope.Region, "unique per account and region"),
        ("AWS::Batch::ComputeEnvironment", "ComputeEnvironmentName", Scope.Region, "unique per account and region"),
        ("AWS::ApiGateway::RestApi", "Name", Scope.Region, "API Gateway accepts duplicates, but the name is the ApiName dimension of the API's metrics and alarms"),
        ("AWS::WAFv2::WebACL", "Name", Scope.Region, "unique per scope, account and region"),
        ("AWS::Events::Rule", "Name", Scope.Region, "unique per event bus"),
        ("AWS::CloudWatch::Alarm", "AlarmName", Scope.Region, "unique per account and region"),
        ("AWS::EC2::LaunchTemplate", "LaunchTemplateName", Scope.Region, "unique per account and region"),
    };

    /// <summary>Properties ending in "Name" that name no resource of their own: a reference, or a name within a parent.</summary>
    private static readonly (string Type, string Property)[] NotPhysicalNames =
    {
        ("AWS::IAM::Policy", "PolicyName"), // an inline policy, named within its role
        ("AWS::ApplicationAutoScaling::ScalingPolicy", "PolicyName"), // named within its scalable target
        ("AWS::ApiGateway::Stage", "StageName"), // within its API
        ("AWS::ApiGateway::Model", "Name"), // within its API
        ("AWS::ApiGateway::Authorizer", "Name"), // within its API
        ("AWS::SageMaker::InferenceComponent", "EndpointName"), // the endpoint it runs on
        ("AWS::SageMaker::InferenceComponent", "VariantName"),
        ("AWS::SageMaker::Endpoint", "EndpointConfigName"),
        ("AWS::Lambda::Permission", "FunctionName"),
        ("AWS::EC2::FlowLog", "LogGroupName"),
        ("AWS::EC2::VPCEndpoint", "ServiceName"), // AWS's service
        ("AWS::CloudTrail::Trail", "S3BucketName"),
        ("AWS::CloudWatch::Alarm", "MetricName"),
        ("AWS::SNS::Topic", "DisplayName"), // a label shown in notifications
    };

    private sealed record Name(FourDeployments.Deployment Deployment, string Stack, string LogicalId, string Type, Scope Scope, string Value)
    {
        public override string ToString() => $"{Type} '{Value}' ({Deployment}, {Stack}/{LogicalId})";
    }

    [Fact]
    public void Every_property_that_names_a_resource_has_a_known_uniqueness_scope()
    {
        var unknown = Resources().SelectMany(r => r.Resource["Properties"]?.AsObject().Select(p => p.Key) ?? Enumerable.Empty<string>(),
                (r, property) => (Type: r.Resource["Type"]!.GetValue<string>(), Property: property))
            .Where(p => p.Property.EndsWith("Name", StringComparison.Ordinal))
            .Where(p => !Names.Any(n => n.Type == p.Type && n.Property.Split('.')[0] == p.Property) && !NotPhysicalNames.Contains(p))
            .Distinct().ToList();
        Assert.True(unknown.Count == 0, "Add these to PhysicalNameTests.Names with AWS's uniqueness scope (or to NotPhysicalNames): " + string.Join(", ", unknown));
    }

    [Fact]
    public void Names_unique_per_account_or_replicated_across_regions_never_repeat_across_regions_and_projects()
    {
        var names = FixedNames().Where(n => n.Scope is Scope.Account or Scope.Global).ToList();
        // What the check must see for it to mean anything: the platform's budgets, anomaly monitor and subscription, trail and buckets.
        foreach (var type in new[] { "AWS::Budgets::Budget", "AWS::CE::AnomalyMonitor", "AWS::CE::AnomalySubscription", "AWS::CloudTrail::Trail", "AWS::S3::Bucket" })
            Assert.All(app.Deployments, d => Assert.Contains(names, n => n.Deployment == d && n.Type == type));
        var repeated = names.GroupBy(n => n.Scope == Scope.Global ? n.Value : $"{n.Type} {n.Value}").Where(g => g.Count() > 1).ToList();
        Assert.True(repeated.Count == 0, "Names that collide in one account: " + string.Join("; ", repeated.Select(g => string.Join(" = ", g))));
    }

    [Fact]
    public void Region_scoped_names_are_unique_within_a_deployment_and_the_platforms_own_differ_between_projects()
    {
        var names = FixedNames().Where(n => n.Scope == Scope.Region).ToList();
        Assert.Contains(names, n => n.Type == "AWS::Lambda::Function");
        var withinOne = names.GroupBy(n => (n.Deployment, n.Type, n.Value)).Where(g => g.Count() > 1).ToList();
        Assert.True(withinOne.Count == 0, "Names that collide within one deployment: " + string.Join("; ", withinOne.Select(g => string.Join(" = ", g))));

        // The sample's stack names admit one deployment per account and region; a second platform in a region is a
        // second app (or other stack names), and what the platform names itself must then differ: its functions and
        // their log groups, its key alias, its APIs.
        var platformNamed = names.Where(n => n.Type is "AWS::Lambda::Function" or "AWS::KMS::Alias" or "AWS::ApiGateway::RestApi"
            || n.Type == "AWS::Logs::LogGroup" && n.Value.StartsWith("/aws/lambda/", StringComparison.Ordinal)).ToList();
        var acrossProjects = platformNamed.GroupBy(n => (n.Deployment.Region, n.Type, n.Value)).Where(g => g.Count() > 1).ToList();
        Assert.True(acrossProjects.Count == 0, "Platform names that collide between two platforms of one region: " + string.Join("; ", acrossProjects.Select(g => string.Join(" = ", g))));
    }

    private IEnumerable<(FourDeployments.Deployment Deployment, string Stack, string LogicalId, JsonObject Resource)> Resources() =>
        from d in app.Deployments
        from t in d.Templates
        from r in t.Value["Resources"]!.AsObject()
        select (d, t.Key, r.Key, r.Value!.AsObject());

    /// <summary>Every name fixed at synthesis, resolved for its deployment; names built from a deployed resource (a generated id) are unique by construction and left out.</summary>
    private IEnumerable<Name> FixedNames()
    {
        foreach (var (deployment, stack, id, resource) in Resources())
        {
            var type = resource["Type"]!.GetValue<string>();
            foreach (var (_, property, scope, _) in Names.Where(n => n.Type == type))
            {
                var node = property.Split('.').Aggregate((JsonNode?)resource["Properties"], (n, part) => n?[part]);
                if (node is not null && Resolve(node, deployment) is { } value)
                    yield return new Name(deployment, stack, id, type, scope, value);
            }
        }
    }

    private static string? Resolve(JsonNode node, FourDeployments.Deployment deployment) => node switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonObject { Count: 1 } reference when reference["Ref"] is { } target => target.GetValue<string>() switch
        {
            "AWS::Region" => deployment.Region,
            "AWS::AccountId" => FourDeployments.Account,
            "AWS::Partition" => "aws",
            "AWS::URLSuffix" => "amazonaws.com",
            _ => null, // a resource's generated name or id
        },
        JsonObject { Count: 1 } join when join["Fn::Join"] is JsonArray args =>
            args[1]!.AsArray().Select(part => Resolve(part!, deployment)).ToList() is var parts && parts.All(p => p is not null)
                ? string.Join(args[0]!.GetValue<string>(), parts)
                : null,
        _ => null, // Fn::GetAtt, Fn::ImportValue: made from a deployed resource
    };
}
