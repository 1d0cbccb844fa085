using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;

namespace AwsModelPlatform.Constructs.Training;

/// <summary>
/// The role training containers run with, written out action by action: read datasets; read, write and delete
/// checkpoints; read and write outputs; the platform key only through S3 for those objects, and to decrypt the job
/// secrets the training API passes (only under a secret's encryption context). No wildcard actions.
/// </summary>
internal static class TrainingJobRole
{
    public static Role Create(Construct scope, string id, IPlatformKey key, IBucket datasets, IBucket checkpoints, IBucket output)
    {
        var role = new Role(scope, id, new RoleProps
        {
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
            Description = "Training jobs: read datasets, read and write checkpoints and outputs",
        });
        PolicyStatement Objects(string sid, IBucket bucket, params string[] actions) =>
            new(new PolicyStatementProps { Sid = sid, Actions = actions, Resources = new[] { bucket.ArnForObjects("*") } });
        var policy = new Policy(scope, id + "Policy", new PolicyProps
        {
            Roles = new IRole[] { role },
            Statements = new[]
            {
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ListTheThreeBuckets",
                    Actions = new[] { "s3:ListBucket", "s3:GetBucketLocation" },
                    Resources = new[] { datasets.BucketArn, checkpoints.BucketArn, output.BucketArn },
                }),
                Objects("ReadDatasets", datasets, "s3:GetObject"),
                Objects("ReadWriteCheckpoints", checkpoints, "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
                Objects("ReadWriteOutputs", output, "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "PlatformKeyForTheseObjects",
                    Actions = new[] { "kms:Decrypt", "kms:GenerateDataKey" },
                    Resources = new[] { key.Key.KeyArn },
                    Conditions = KmsConditions.ThroughS3(Stack.Of(scope)),
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "DecryptJobSecrets",
                    Actions = new[] { "kms:Decrypt" },
                    Resources = new[] { key.Key.KeyArn },
                    Conditions = KmsConditions.JobSecrets(),
                }),
            },
        });
        Suppressions.Add(policy, "AwsSolutions-IAM5",
            "Jobs create and read objects whose keys are chosen at run time (dataset files, checkpoint shards, model artifacts); each wildcard is the object space of one bucket dedicated to that purpose.",
            Suppressions.Matching(@"^Resource::<.*(Datasets|Checkpoints|Output)[0-9A-F]{8}\.Arn>/\*$"));
        return role;
    }
}
