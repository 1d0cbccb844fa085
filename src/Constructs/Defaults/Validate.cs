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
        if (!condition) throw new ArgumentException($"{Path}: {message}");
    }

    public void That(bool condition, [InterpolatedStringHandlerArgument("condition")] ref InvariantMessage message)
    {
        if (!condition) throw new ArgumentException($"{Path}: {message.ToStringAndClear()}");
    }

    public void InRange(int value, int min, int max, string prop, string why) =>
        That(value >= min && value <= max, $"{prop} = {value} is out of range: {why} ({min} to {max}).");

    /// <summary>A duration in whole seconds from <paramref name="min"/> to <paramref name="max"/> (CloudFormation takes the seconds).</summary>
    public void WholeSeconds(Duration duration, int min, int max, string prop)
    {
        var seconds = duration.ToMilliseconds() / 1000.0;
        That(seconds >= min && seconds <= max && seconds == Math.Floor(seconds), $"{prop} = {seconds} s is out of range: whole seconds from {min} to {max}.");
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
