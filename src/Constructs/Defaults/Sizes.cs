namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>
/// A <see cref="Size"/> as the number a CloudFormation property takes. CDK's own conversions fail on a fraction of the
/// unit; these return it, so a check can name the value and refuse it with the fix.
/// </summary>
internal static class Sizes
{
    private static readonly SizeConversionOptions Exact = new() { Rounding = SizeRoundingBehavior.NONE };

    public static double Bytes(Size size) => size.ToBytes(Exact);

    public static double Mebibytes(Size size) => size.ToMebibytes(Exact);

    public static double Gibibytes(Size size) => size.ToGibibytes(Exact);
}
