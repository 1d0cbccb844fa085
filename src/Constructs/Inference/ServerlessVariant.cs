using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Sagemaker;

namespace AwsModelPlatform.Constructs.Inference;

/// <summary>
/// SageMaker Serverless Inference: a production variant with memory and concurrency only. It supports neither a VPC
/// configuration nor network isolation, so the model runs in SageMaker's network; it has no instances of the account's,
/// hence no volume key, no instance metrics and no Application Auto Scaling (SageMaker scales it).
/// </summary>
internal sealed class ServerlessVariant(GpuModelEndpoint owner, ServerlessHosting hosting) : EndpointVariant(owner)
{
    public override bool InVpc => false;

    public override string VolumeKeyExemption =>
        $"KmsKeyId encrypts the storage volume attached to the ML instances that host the endpoint ({GpuModelEndpoint.EndpointConfigApiReference}); a serverless endpoint has no instances " +
        "of its own to attach one to. Its model data stays in S3 under the bucket's encryption.";

    public override void AddModeResources(Role role) =>
        Annotations.Of(Owner).AddInfo("ServerlessHosting: SageMaker Serverless Inference supports no VPC configuration and no network isolation; the model runs outside the platform's VPC.");

    public override CfnEndpointConfigProps EndpointConfig(NetworkPlacement? network) => new()
    {
        ProductionVariants = new object[]
        {
            new CfnEndpointConfig.ProductionVariantProperty
            {
                VariantName = GpuModelEndpoint.VariantName,
                ModelName = Owner.Model.AttrModelName,
                ServerlessConfig = new CfnEndpointConfig.ServerlessConfigProperty
                {
                    MemorySizeInMb = hosting.MemorySizeInMb,
                    MaxConcurrency = hosting.MaxConcurrency,
                    ProvisionedConcurrency = hosting.ProvisionedConcurrency,
                },
            },
        },
    };
}
