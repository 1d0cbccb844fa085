namespace AwsModelPlatform.Constructs.Inference;

/// <summary>Data capture of a real-time endpoint into its KMS-encrypted bucket.</summary>
public sealed record DataCapture
{
    /// <summary>No capture.</summary>
    public static DataCapture Off { get; } = new() { Enabled = false };

    /// <summary>Whether capture is on.</summary>
    /// <remarks>Default: true.</remarks>
    public bool Enabled { get; init; } = true;

    /// <summary>Percentage of requests captured (1 to 100).</summary>
    /// <remarks>Default: 20.</remarks>
    public int SamplingPercent { get; init; } = 20;

    /// <summary>Whether requests (input) are captured.</summary>
    /// <remarks>Default: true.</remarks>
    public bool CaptureInput { get; init; } = true;

    /// <summary>Whether responses (output) are captured.</summary>
    /// <remarks>Default: true.</remarks>
    public bool CaptureOutput { get; init; } = true;

    internal void Check(ConstructChecks check)
    {
        check.InRange(SamplingPercent, 1, 100, "DataCapture.SamplingPercent", "a percentage of requests");
        check.That(CaptureInput || CaptureOutput, $"DataCapture: CaptureInput and CaptureOutput are both false; capture at least one, or use DataCapture.Off.");
    }
}
