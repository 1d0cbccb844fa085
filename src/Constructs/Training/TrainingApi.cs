using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.S3;
using AwsModelPlatform.Constructs.Api;
using AwsModelPlatform.Constructs.Defaults;
using AwsModelPlatform.Constructs.Foundation;
using Constructs;
using InvokeMode = AwsModelPlatform.Constructs.Api.InvokeMode;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>Properties of <see cref="TrainingApi"/>.</summary>
public sealed record TrainingApiProps : PlatformConstructProps
{
    /// <summary>The training queue and job definitions the API submits to; the API runs on its platform (leave <c>Platform</c> unset).</summary>
    public required TrainingJobs Training { get; init; }

    /// <summary>Who may call the API.</summary>
    /// <remarks>Default: <see cref="ApiAuthorization.Iam"/>.</remarks>
    public ApiAuthorization? Authorization { get; init; }

    /// <summary>Instance types a submission may ask for.</summary>
    /// <remarks>Default: every type of <see cref="TrainingJobsProps.InstanceTypes"/>.</remarks>
    public IReadOnlyList<string>? AllowedInstanceTypes { get; init; }

    /// <summary>Longest attempt a submission may ask for, in seconds.</summary>
    /// <remarks>Default: 86400 (24 h), the job definitions' default attempt timeout.</remarks>
    public int MaxRuntimeSeconds { get; init; } = 86_400;

    /// <summary>Days an idempotency record is kept: a retry with the same key within this time returns the same job.</summary>
    /// <remarks>Default: 30.</remarks>
    public int IdempotencyRecordDays { get; init; } = 30;

    /// <summary>A directory holding a prebuilt <c>bootstrap</c> of src/Handlers (e.g. from a CI step).</summary>
    /// <remarks>Default: <see cref="HandlerCode.Default(Architecture)"/>: the bootstrap the NuGet package carries, else the handler project found above the working directory and published with Native AOT during synthesis.</remarks>
    public string? HandlerDirectory { get; init; }

    /// <summary>Concurrent executions reserved for the function.</summary>
    /// <remarks>Default: 20: job submission is low-volume; the cap protects the account.</remarks>
    public int ReservedConcurrency { get; init; } = 20;

    /// <summary>Steady requests per second the stage accepts.</summary>
    /// <remarks>Default: 10.</remarks>
    public double ThrottlingRateLimit { get; init; } = 10;
}

/// <summary>
/// The training job API (<c>POST/GET /v1/training-jobs</c>, <c>GET/DELETE /v1/training-jobs/{id}</c>) in front of a
/// <see cref="TrainingJobs"/>: the handler's <c>training</c> route group on a <see cref="HandlerFunction"/> behind a
/// <see cref="PlatformRestApi"/>, with a state bucket for idempotency records and a role that can submit to that queue
/// with those definitions, read datasets' names only through the handler's checks, and encrypt job secrets only under
/// the handler's encryption context.
/// </summary>
public sealed class TrainingApi : PlatformConstruct
{
    /// <summary>The encryption-context key the handler binds every job secret to (with the submission and secret names).</summary>
    public const string SecretContextKey = "aws-model-platform:job-name";

    /// <summary>Every encryption-context key of a job secret (the handler's <c>TrainingSecrets</c> context): the role may use the key with these and no others.</summary>
    public static readonly IReadOnlyList<string> SecretContextKeys = new[] { SecretContextKey, "aws-model-platform:submission", "aws-model-platform:secret" };

    /// <summary>The function serving the routes.</summary>
    public HandlerFunction Handler { get; }

    /// <summary>The REST API.</summary>
    public PlatformRestApi Api { get; }

    /// <summary>The bucket of idempotency records.</summary>
    public Bucket StateBucket { get; }

    /// <summary>Creates the function, the state bucket, the grants and the API.</summary>
    public TrainingApi(Construct scope, string id, TrainingApiProps props) : base(scope, id, OnTrainingPlatform(props), "training")
    {
        var training = props.Training;
        var platform = Platform;
        var allowed = props.AllowedInstanceTypes ?? training.InstanceTypes;
        foreach (var type in allowed)
            Validate.That(training.InstanceTypes.Contains(type),
                $"TrainingApiProps.AllowedInstanceTypes: '{type}' is not one of the training compute environments' types ({string.Join(", ", training.InstanceTypes)}); a job asking for it would never start.");
        Validate.InRange(props.MaxRuntimeSeconds, 60, 1_209_600, "TrainingApiProps.MaxRuntimeSeconds", "AWS Batch attempt timeouts run from 60 seconds to 14 days");
        Validate.InRange(props.IdempotencyRecordDays, 1, 3650, "TrainingApiProps.IdempotencyRecordDays", "records must expire");

        StateBucket = BucketDefaults.Create(this, "State", platform.Key, platform.AccessLogs, "training/state/", platform.RemovalPolicy, versioned: true,
            new ILifecycleRule[]
            {
                new LifecycleRule
                {
                    Id = "ExpireIdempotencyRecords",
                    Expiration = Duration.Days(props.IdempotencyRecordDays),
                    NoncurrentVersionExpiration = Duration.Days(1),
                },
            }, PlatformNames.Bucket(platform, this, "state"));

        var configuration = new Dictionary<string, string>
        {
            ["Api__RouteGroups"] = "training",
            ["Training__JobQueue"] = training.JobQueueArn,
            ["Training__DatasetsBucket"] = training.DatasetsBucket.BucketName,
            ["Training__CheckpointsBucket"] = training.CheckpointsBucket.BucketName,
            ["Training__OutputBucket"] = training.OutputBucket.BucketName,
            ["Training__StateBucket"] = StateBucket.BucketName,
            ["Training__KeyId"] = platform.Key.Key.KeyArn,
            ["Training__AllowedInstanceTypes"] = string.Join(",", allowed),
            ["Training__MaxRuntimeSeconds"] = props.MaxRuntimeSeconds.ToString(),
        };
        foreach (var definition in training.JobDefinitions)
        {
            if (definition.Nodes == 1)
                configuration[$"Training__JobDefinitions__{definition.Name}"] = training.JobDefinitionName(definition.Name);
            else
            {
                configuration[$"Training__JobDefinitions__{definition.Name}__Name"] = training.JobDefinitionName(definition.Name);
                configuration[$"Training__JobDefinitions__{definition.Name}__Nodes"] = definition.Nodes.ToString();
                configuration[$"Training__JobDefinitions__{definition.Name}__MaxNodes"] = (definition.MaxNodes ?? definition.Nodes).ToString();
            }
        }

        Handler = new HandlerFunction(this, "Handler", new HandlerFunctionProps
        {
            Platform = platform,
            Purpose = "training-api",
            Code = props.HandlerDirectory is { } directory
                ? HandlerCode.FromDirectory(directory)
                : HandlerCode.Default("TrainingApiProps", Architecture.X86_64),
            Configuration = configuration,
            ReservedConcurrency = props.ReservedConcurrency,
            TimeoutSeconds = 30,
        });
        Grant(training, Handler.Role, platform);

        Api = new PlatformRestApi(this, "Api", new PlatformRestApiProps
        {
            Platform = platform,
            Name = "training",
            Authorization = props.Authorization,
            ThrottlingRateLimit = props.ThrottlingRateLimit,
            ThrottlingBurstLimit = (int)Math.Max(1, props.ThrottlingRateLimit * 2),
        });
        Api.AddRoute("POST", "/v1/training-jobs", Handler, InvokeMode.Buffered);
        Api.AddRoute("GET", "/v1/training-jobs", Handler, InvokeMode.Buffered);
        Api.AddRoute("GET", "/v1/training-jobs/{id}", Handler, InvokeMode.Buffered);
        Api.AddRoute("DELETE", "/v1/training-jobs/{id}", Handler, InvokeMode.Buffered);
        _ = new CfnOutput(this, "Url", new CfnOutputProps { Value = Api.Url, Description = "Training API base URL (append v1/training-jobs)" });
    }

    private static TrainingApiProps OnTrainingPlatform(TrainingApiProps props)
    {
        Validate.That(props.StandaloneOptions is null && (props.Platform is null || props.Platform == props.Training.Platform),
            "TrainingApiProps: the API runs on the platform of its TrainingJobs; leave Platform and StandaloneOptions unset.");
        return props with { Platform = props.Training.Platform };
    }

    private void Grant(TrainingJobs training, Role role, IModelPlatform platform)
    {
        var stack = Stack.Of(this);
        training.GrantSubmitJob(role);
        var policy = new Policy(this, "HandlerPolicy", new PolicyProps
        {
            Roles = new IRole[] { role },
            Statements = new[]
            {
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadJobs",
                    Actions = new[] { "batch:ListJobs", "batch:DescribeJobs" },
                    Resources = new[] { "*" },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "StopAndTagJobs",
                    Actions = new[] { "batch:CancelJob", "batch:TerminateJob", "batch:TagResource" },
                    Resources = new[] { $"arn:{stack.Partition}:batch:{stack.Region}:{stack.Account}:job/*" },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "IdempotencyRecords",
                    Actions = new[] { "s3:GetObject", "s3:PutObject" },
                    Resources = new[] { StateBucket.ArnForObjects("training/idempotency/*") },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "StateBucketKey",
                    Actions = new[] { "kms:Decrypt", "kms:GenerateDataKey" },
                    Resources = new[] { platform.Key.Key.KeyArn },
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"s3.{stack.Region}.{stack.UrlSuffix}" },
                    },
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "JobSecretsUnderTheirContext",
                    Actions = new[] { "kms:Encrypt", "kms:Decrypt" },
                    Resources = new[] { platform.Key.Key.KeyArn },
                    // Only with a job secret's context: the job-name key present, and no key but the handler's three.
                    Conditions = new Dictionary<string, object>
                    {
                        ["ForAnyValue:StringEquals"] = new Dictionary<string, object> { ["kms:EncryptionContextKeys"] = SecretContextKey },
                        ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["kms:EncryptionContextKeys"] = SecretContextKeys.ToArray() },
                    },
                }),
            },
        });
        Suppressions.Add(policy, "AwsSolutions-IAM5",
            "ListJobs and DescribeJobs have no resource-level permissions (the handler only lists and describes its own queue's jobs); job ARNs are created per submission; idempotency records are keyed by a hash of caller and key under one prefix.",
            "Resource::*",
            $"Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*",
            Suppressions.Matching(@"^Resource::<.*State[0-9A-F]{8}\.Arn>/training/idempotency/\*$"));
    }
}
