namespace AwsModelPlatform.Constructs.Inference;

/// <summary>What the endpoint construct needs to know about one SageMaker hosting instance type.</summary>
/// <param name="Name">The instance type, e.g. <c>ml.g5.2xlarge</c>.</param>
/// <param name="Accelerators">GPUs (or, for <c>ml.inf2</c>, Neuron devices) per instance; 0 for CPU types.</param>
/// <param name="IsGpu">True when the accelerators are NVIDIA GPUs (GPU metrics exist).</param>
/// <param name="HasLocalNvmeStorage">
/// True when the instance has local NVMe instance storage. SageMaker then uses that storage instead of an EBS
/// volume: it is encrypted by the hardware (XTS-AES-256), and SageMaker refuses both a <c>KmsKeyId</c> and a
/// <c>VolumeSizeInGB</c> in the endpoint config.
/// </param>
/// <param name="IsBurstable">True for the burstable <c>ml.t*</c> types, whose CPU credits make autoscaling metrics meaningless.</param>
internal sealed record SageMakerInstanceType(string Name, int Accelerators, bool IsGpu, bool HasLocalNvmeStorage, bool IsBurstable)
{
    /// <summary>Whether the endpoint config may carry a <c>KmsKeyId</c> (and a <c>VolumeSizeInGB</c>): only without local NVMe storage.</summary>
    public bool AcceptsVolumeKmsKey => !HasLocalNvmeStorage;
}

/// <summary>
/// The one table of SageMaker hosting instance types the library accepts: accelerators, local NVMe storage,
/// burstability. Every type here has a price in <see cref="PriceTable"/> (a test checks it).
/// </summary>
internal static class SageMakerInstanceTypes
{
    private static readonly Dictionary<string, SageMakerInstanceType> Types = Build();

    /// <summary>Every accepted type, in table order.</summary>
    public static IReadOnlyCollection<SageMakerInstanceType> All => Types.Values;

    /// <summary>Looks a type up by name.</summary>
    public static bool TryGet(string name, out SageMakerInstanceType type) => Types.TryGetValue(name, out type!);

    /// <summary>A type that must exist.</summary>
    public static SageMakerInstanceType Get(string name) =>
        Types.TryGetValue(name, out var type) ? type : throw new KeyNotFoundException($"'{name}' is not in SageMakerInstanceTypes.");

    /// <summary>The families, for messages.</summary>
    public static string Families => string.Join(", ", Types.Keys.Select(k => k[..k.LastIndexOf('.')] + ".*").Distinct());

    private static Dictionary<string, SageMakerInstanceType> Build()
    {
        var table = new List<SageMakerInstanceType>();
        void Family(string family, bool gpu, bool nvme, params (string Size, int Accelerators)[] sizes) =>
            table.AddRange(sizes.Select(s => new SageMakerInstanceType($"ml.{family}.{s.Size}", s.Accelerators, gpu && s.Accelerators > 0, nvme, family.StartsWith('t'))));

        // CPU, EBS-backed: small models, pre/post-processing, and (t2) development endpoints.
        Family("t2", gpu: false, nvme: false, ("medium", 0), ("large", 0));
        Family("m5", gpu: false, nvme: false, ("large", 0), ("xlarge", 0), ("2xlarge", 0), ("4xlarge", 0));
        Family("c5", gpu: false, nvme: false, ("large", 0), ("xlarge", 0), ("2xlarge", 0));
        // NVIDIA T4, local NVMe.
        Family("g4dn", gpu: true, nvme: true, ("xlarge", 1), ("2xlarge", 1), ("4xlarge", 1), ("8xlarge", 1), ("12xlarge", 4), ("16xlarge", 1));
        // NVIDIA A10G / L4 / L40S, local NVMe.
        foreach (var family in new[] { "g5", "g6", "g6e" })
            Family(family, gpu: true, nvme: true, ("xlarge", 1), ("2xlarge", 1), ("4xlarge", 1), ("8xlarge", 1), ("12xlarge", 4), ("16xlarge", 1), ("24xlarge", 4), ("48xlarge", 8));
        // NVIDIA V100, EBS only (p3dn is the NVMe variant; not offered for hosting).
        Family("p3", gpu: true, nvme: false, ("2xlarge", 1), ("8xlarge", 4), ("16xlarge", 8));
        // NVIDIA A100 / H100, local NVMe.
        Family("p4d", gpu: true, nvme: true, ("24xlarge", 8));
        Family("p5", gpu: true, nvme: true, ("48xlarge", 8));
        // AWS Inferentia2 (Neuron devices), EBS only.
        Family("inf2", gpu: false, nvme: false, ("xlarge", 1), ("8xlarge", 1), ("24xlarge", 6), ("48xlarge", 12));
        return table.ToDictionary(t => t.Name);
    }
}
