namespace AwsModelPlatform.Contracts;

/// <summary>The shape of one EC2 GPU instance type, as AWS Batch schedules on it.</summary>
/// <param name="Name">Instance type, e.g. <c>g5.12xlarge</c>.</param>
/// <param name="VCpus">vCPUs.</param>
/// <param name="Gpus">NVIDIA GPUs.</param>
/// <param name="MemoryMiB">Memory in MiB.</param>
/// <param name="Efa">Whether the type supports Elastic Fabric Adapter.</param>
internal sealed record GpuInstanceType(string Name, int VCpus, int Gpus, int MemoryMiB, bool Efa);

/// <summary>
/// The EC2 GPU instance types training jobs may run on (source: the EC2 instance-type pages, accelerated computing,
/// 2026-11): those the compute environments' AMI, AWS Batch's Amazon Linux 2023 NVIDIA image
/// (<c>ECS_AL2023_NVIDIA</c>), supports.
/// </summary>
internal static class GpuInstanceTypes
{
    /// <summary>The AMI image type of the training compute environments.</summary>
    public const string ImageType = "ECS_AL2023_NVIDIA";

    // "ECS_AL2023_NVIDIA doesn't support p3 and g3 instance types" (AWS Batch API reference, Ec2Configuration.imageType:
    // https://docs.aws.amazon.com/batch/latest/APIReference/API_Ec2Configuration.html). p3dn and g3s are read as
    // members of those generations. GPUs per type, for the suggestion in the refusal.
    private static readonly Dictionary<string, int> NotOnTheAmi = new()
    {
        ["p3.2xlarge"] = 1, ["p3.8xlarge"] = 4, ["p3.16xlarge"] = 8, ["p3dn.24xlarge"] = 8,
        ["g3s.xlarge"] = 1, ["g3.4xlarge"] = 1, ["g3.8xlarge"] = 2, ["g3.16xlarge"] = 4,
    };

    private static readonly GpuInstanceType[] All =
    {
        new("g4dn.xlarge", 4, 1, 16 * 1024, false),
        new("g4dn.2xlarge", 8, 1, 32 * 1024, false),
        new("g4dn.4xlarge", 16, 1, 64 * 1024, false),
        new("g4dn.8xlarge", 32, 1, 128 * 1024, true),
        new("g4dn.12xlarge", 48, 4, 192 * 1024, true),
        new("g4dn.16xlarge", 64, 1, 256 * 1024, true),
        new("g4dn.metal", 96, 8, 384 * 1024, true),
        new("g5.xlarge", 4, 1, 16 * 1024, false),
        new("g5.2xlarge", 8, 1, 32 * 1024, false),
        new("g5.4xlarge", 16, 1, 64 * 1024, false),
        new("g5.8xlarge", 32, 1, 128 * 1024, true),
        new("g5.12xlarge", 48, 4, 192 * 1024, true),
        new("g5.16xlarge", 64, 1, 256 * 1024, true),
        new("g5.24xlarge", 96, 4, 384 * 1024, true),
        new("g5.48xlarge", 192, 8, 768 * 1024, true),
        new("g6.xlarge", 4, 1, 16 * 1024, false),
        new("g6.2xlarge", 8, 1, 32 * 1024, false),
        new("g6.4xlarge", 16, 1, 64 * 1024, false),
        new("g6.8xlarge", 32, 1, 128 * 1024, true),
        new("g6.12xlarge", 48, 4, 192 * 1024, true),
        new("g6.16xlarge", 64, 1, 256 * 1024, true),
        new("g6.24xlarge", 96, 4, 384 * 1024, true),
        new("g6.48xlarge", 192, 8, 768 * 1024, true),
        new("g6e.xlarge", 4, 1, 32 * 1024, false),
        new("g6e.2xlarge", 8, 1, 64 * 1024, false),
        new("g6e.4xlarge", 16, 1, 128 * 1024, false),
        new("g6e.8xlarge", 32, 1, 256 * 1024, true),
        new("g6e.12xlarge", 48, 4, 384 * 1024, true),
        new("g6e.16xlarge", 64, 1, 512 * 1024, true),
        new("g6e.24xlarge", 96, 4, 768 * 1024, true),
        new("g6e.48xlarge", 192, 8, 1536 * 1024, true),
        new("p4d.24xlarge", 96, 8, 1152 * 1024, true),
        new("p5.48xlarge", 192, 8, 2048 * 1024, true),
    };

    private static readonly Dictionary<string, GpuInstanceType> ByName = All.ToDictionary(t => t.Name);

    /// <summary>Every supported type.</summary>
    public static IReadOnlyList<GpuInstanceType> Supported => All;

    /// <summary>The type of that name, or null when it is not a supported GPU type.</summary>
    public static GpuInstanceType? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// Why a GPU type that is not supported cannot be, with the types to use instead, when it is one AWS Batch's
    /// <see cref="ImageType"/> AMI does not run (p3, g3); null for any other name.
    /// </summary>
    public static string? WhyNotSupported(string name)
    {
        if (!NotOnTheAmi.TryGetValue(name, out var gpus)) return null;
        var instead = All.Where(t => t.Gpus >= gpus).GroupBy(t => t.Name.Split('.')[0])
            .Select(family => family.OrderBy(t => t.Gpus).ThenBy(t => t.VCpus).First().Name).Take(4);
        return $"the training compute environments run AWS Batch's Amazon Linux 2023 NVIDIA AMI ({ImageType}), which does not support p3 and g3 instance types " +
               $"(AWS Batch API reference, Ec2Configuration); for {gpus} GPU(s) use a newer type such as {string.Join(", ", instead)}";
    }
}
