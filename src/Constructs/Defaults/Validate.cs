using System.Globalization;
using System.Runtime.CompilerServices;

namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>
/// Synth-time checks of props; every message names the prop, the value and what would be accepted. Checks made for a
/// construct (<see cref="Of(IConstruct)"/>) also start with the construct's path, as aws-cdk's <c>ValidationError(msg, this)</c>
/// carries it (https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/core/lib/errors.ts): in an app with several
/// endpoints the message says which one is wrong. Their messages are formatted with the invariant culture.
/// </summary>
internal static class Validate
{
    public static void That(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }

    public static void InRange(int value, int min, int max, string prop, string why) =>
        That(value >= min && value <= max, $"{prop} = {value} is out of range: {why} ({min} to {max}).");

    /// <summary>A check of <paramref name="scope"/>: the message starts with its path.</summary>
    public static void That(IConstruct scope, bool condition, string message) => Of(scope).That(condition, message);

    /// <summary>The checks of <paramref name="construct"/>: every message starts with its path.</summary>
    public static ConstructChecks Of(IConstruct construct) => new(construct.Node.Path);

    /// <summary>
    /// The checks of the construct <paramref name="id"/> about to be created in <paramref name="scope"/>: props checked
    /// before the construct (and any resource) exists still name the path it would have.
    /// </summary>
    public static ConstructChecks Of(IConstruct scope, string id) => new(scope.Node.Path.Length == 0 ? id : $"{scope.Node.Path}/{id}");

    /// <summary>
    /// The checks of a static factory (<c>ModelImage.FromImageUri</c>): it runs before any construct exists and is given
    /// none, so it has no path to name; its messages start with the factory's name instead, and name the argument.
    /// </summary>
    public static ConstructChecks OfFactory(string factory) => new(factory);
}

/// <summary>
/// Checks whose failure messages start with the path of the construct they are about (<c>Stack/Endpoint: ...</c>).
/// An interpolated message is formatted only when the check fails, with the invariant culture (a threshold of 0.5
/// reads 0.5 on every machine).
/// </summary>
internal readonly record struct ConstructChecks(string Path)
{
    public void That(bool condition, string message)
    {
        if (!condition) throw Error(message);
    }

    /// <summary>The error of a failed check, for a <c>?? throw</c>: its message starts with the path.</summary>
    public ArgumentException Error(string message) => new($"{Path}: {message}");

    public void That(bool condition, [InterpolatedStringHandlerArgument("condition")] ref InvariantMessage message)
    {
        if (!condition) throw new ArgumentException($"{Path}: {message.ToStringAndClear()}");
    }

    public void InRange(int value, int min, int max, string prop, string why) =>
        That(value >= min && value <= max, $"{prop} = {value} is out of range: {why} ({min} to {max}).");

    /// <summary>A duration in whole days from <paramref name="min"/> to <paramref name="max"/> (S3 lifecycles and KMS take days); returns the days.</summary>
    public int WholeDays(Duration duration, int min, int max, string prop, string why) => Whole(duration.ToMilliseconds() / 86_400_000.0, "days", min, max, prop, why);

    /// <summary>A duration in whole minutes from <paramref name="min"/> to <paramref name="max"/>; returns the minutes.</summary>
    public int WholeMinutes(Duration duration, int min, int max, string prop, string why) => Whole(duration.ToMilliseconds() / 60_000.0, "minutes", min, max, prop, why);

    /// <summary>A size in whole GiB from <paramref name="min"/> to <paramref name="max"/> (EBS volumes take GiB); returns the GiB.</summary>
    public int WholeGibibytes(Size size, int min, int max, string prop, string why) => Whole(Sizes.Gibibytes(size), "GiB", min, max, prop, why);

    /// <summary>A size in whole MiB from <paramref name="min"/> to <paramref name="max"/> (container memory takes MiB); returns the MiB.</summary>
    public int WholeMebibytes(Size size, int min, int max, string prop, string why) => Whole(Sizes.Mebibytes(size), "MiB", min, max, prop, why);

    /// <summary>A size in whole bytes from <paramref name="min"/> to <paramref name="max"/>; returns the bytes.</summary>
    public int WholeBytes(Size size, int min, int max, string prop, string why) => Whole(Sizes.Bytes(size), "bytes", min, max, prop, why);

    private int Whole(double value, string unit, int min, int max, string prop, string why)
    {
        That(value >= min && value <= max && value == Math.Floor(value), $"{prop} = {value} {unit} is out of range: {why} (whole {unit}, {min} to {max}).");
        return (int)value;
    }

    /// <summary>A duration in whole seconds from <paramref name="min"/> to <paramref name="max"/> (CloudFormation takes the seconds).</summary>
    public int WholeSeconds(Duration duration, int min, int max, string prop)
    {
        var seconds = duration.ToMilliseconds() / 1000.0;
        That(seconds >= min && seconds <= max && seconds == Math.Floor(seconds), $"{prop} = {seconds} s is out of range: whole seconds from {min} to {max}.");
        return (int)seconds;
    }
}

/// <summary>A check's interpolated message: formatted with the invariant culture, and only when the check fails.</summary>
[InterpolatedStringHandler]
internal ref struct InvariantMessage
{
    private DefaultInterpolatedStringHandler _text;

    public InvariantMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        _text = new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture);
        shouldAppend = !condition;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

    public string ToStringAndClear() => _text.ToStringAndClear();
}
