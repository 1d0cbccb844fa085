namespace AwsModelPlatform.Constructs.Training;

/// <summary>The shape of one EC2 GPU instance type, as AWS Batch schedules on it.</summary>
/// <param name="Name">Instance type, e.g. <c>g5.12xlarge</c>.</param>
/// <param name="VCpus">vCPUs.</param>
/// <param name="Gpus">NVIDIA GPUs.</param>
/// <param name="MemoryMiB">Memory in MiB.</param>
/// <param name="Efa">Whether the type supports Elastic Fabric Adapter.</param>
public sealed record GpuInstanceType(string Name, int VCpus, int Gpus, int MemoryMiB, bool Efa);

/// <summary>The EC2 GPU instance types training jobs may run on (source: the EC2 instance-type pages, accelerated computing, 2026-11).</summary>
public static class GpuInstanceTypes
{
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
        new("p3.2xlarge", 8, 1, 61 * 1024, false),
        new("p3.8xlarge", 32, 4, 244 * 1024, false),
        new("p3.16xlarge", 64, 8, 488 * 1024, false),
        new("p4d.24xlarge", 96, 8, 1152 * 1024, true),
        new("p5.48xlarge", 192, 8, 2048 * 1024, true),
    };

    private static readonly Dictionary<string, GpuInstanceType> ByName = All.ToDictionary(t => t.Name);

    /// <summary>Every supported type.</summary>
    public static IReadOnlyList<GpuInstanceType> Supported => All;

    /// <summary>The type of that name, or null when it is not a supported GPU type.</summary>
    public static GpuInstanceType? Find(string name) => ByName.GetValueOrDefault(name);
}
