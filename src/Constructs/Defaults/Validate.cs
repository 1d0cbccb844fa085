namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>Synth-time checks of props; every message names the prop, the value and what would be accepted.</summary>
internal static class Validate
{
    public static void That(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }

    public static void InRange(int value, int min, int max, string prop, string why) =>
        That(value >= min && value <= max, $"{prop} = {value} is out of range: {why} ({min} to {max}).");
}
