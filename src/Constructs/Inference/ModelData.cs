using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>Where the model's weights are: one <c>model.tar.gz</c>, or an uncompressed S3 prefix (as LLM containers load them).</summary>
public abstract class ModelData
{
    private protected ModelData(IBucket bucket) => Bucket = bucket;

    /// <summary>The bucket holding the weights.</summary>
    public IBucket Bucket { get; }

    /// <summary>A compressed archive; SageMaker downloads and unpacks it to <c>/opt/ml/model</c>. The role may read that object only.</summary>
    public static ModelData FromArchive(IBucket bucket, string key)
    {
        Validate.OfFactory("ModelData.FromArchive").That(Token.IsUnresolved(key) || (key.EndsWith(".tar.gz") && !key.StartsWith('/')),
            $"key = '{key}' is not a model archive; SageMaker expects a gzipped tar, e.g. models/llm/model.tar.gz (no leading '/'). For uncompressed weights use ModelData.FromPrefix.");
        return new Archive(bucket, key);
    }

    /// <summary>Uncompressed files under a prefix, copied as they are to <c>/opt/ml/model</c>. The role may list and read that prefix only.</summary>
    public static ModelData FromPrefix(IBucket bucket, string prefix)
    {
        Validate.OfFactory("ModelData.FromPrefix").That(Token.IsUnresolved(prefix) || (prefix.EndsWith('/') && !prefix.StartsWith('/') && prefix.Length > 1),
            $"prefix = '{prefix}' must be a non-empty S3 prefix ending in '/' without a leading '/', e.g. models/llama-3-8b/; SageMaker copies every object under it.");
        return new Prefix(bucket, prefix);
    }

    internal abstract void Apply(Amazon.CDK.AWS.Sagemaker.CfnModel.ContainerDefinitionProperty container);

    internal abstract PolicyStatement[] ReadStatements();

    /// <summary>The wildcard object pattern the read grant ends with, if any (for the cdk-nag suppression naming it).</summary>
    internal virtual string? WildcardSuffix => null;

    private sealed class Archive(IBucket bucket, string key) : ModelData(bucket)
    {
        internal override void Apply(Amazon.CDK.AWS.Sagemaker.CfnModel.ContainerDefinitionProperty container) =>
            container.ModelDataUrl = Bucket.S3UrlForObject(key);

        internal override PolicyStatement[] ReadStatements() => new[]
        {
            new PolicyStatement(new PolicyStatementProps { Sid = "ReadModelData", Actions = new[] { "s3:GetObject" }, Resources = new[] { Bucket.ArnForObjects(key) } }),
        };
    }

    private sealed class Prefix(IBucket bucket, string prefix) : ModelData(bucket)
    {
        internal override string? WildcardSuffix => Token.IsUnresolved(prefix) ? null : prefix + "*";

        internal override void Apply(Amazon.CDK.AWS.Sagemaker.CfnModel.ContainerDefinitionProperty container) =>
            container.ModelDataSource = new Amazon.CDK.AWS.Sagemaker.CfnModel.ModelDataSourceProperty
            {
                S3DataSource = new Amazon.CDK.AWS.Sagemaker.CfnModel.S3DataSourceProperty
                {
                    S3Uri = Bucket.S3UrlForObject(prefix),
                    S3DataType = "S3Prefix",
                    CompressionType = "None",
                },
            };

        internal override PolicyStatement[] ReadStatements() => new[]
        {
            new PolicyStatement(new PolicyStatementProps { Sid = "ReadModelData", Actions = new[] { "s3:GetObject" }, Resources = new[] { Bucket.ArnForObjects(prefix + "*") } }),
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "ListModelData",
                Actions = new[] { "s3:ListBucket" },
                Resources = new[] { Bucket.BucketArn },
                Conditions = new Dictionary<string, object> { ["StringLike"] = new Dictionary<string, object> { ["s3:prefix"] = new[] { prefix + "*" } } },
            }),
        };
    }
}
