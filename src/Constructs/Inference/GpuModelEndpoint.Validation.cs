using System.Text.RegularExpressions;

namespace AwsModelPlatform.Constructs.Inference;

// Synth-time validation of the endpoint's props; the hosting records check their own (EndpointHosting.Check). Every
// message starts with the endpoint's construct path.
public sealed partial class GpuModelEndpoint
{
    // Runs before the base constructor, so a bad prop fails synthesis before any resource (or standalone platform) is made.
    private static GpuModelEndpointProps Checked(Construct scope, string id, GpuModelEndpointProps props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var check = Validate.Of(scope, id);
        check.That(props.Hosting is not null, $"GpuModelEndpointProps.Hosting is required: RealTimeHosting, InferenceComponentHosting or ServerlessHosting.");
        check.That(props.Image is not null, $"GpuModelEndpointProps.Image is required: ModelImage.FromDeepLearningContainer, ModelImage.FromEcrRepository or ModelImage.FromImageUri.");
        if (props.EndpointName is { } name) CheckEndpointName(check, name, "GpuModelEndpointProps.EndpointName");
        check.That(props.ServerErrorRateAlarmPercent is > 0 and <= 100,
            $"GpuModelEndpointProps.ServerErrorRateAlarmPercent = {props.ServerErrorRateAlarmPercent} is out of range: a percentage above 0 and at most 100.");
        check.That(props.GpuMemoryAlarmPercent is > 0 and <= 100,
            $"GpuModelEndpointProps.GpuMemoryAlarmPercent = {props.GpuMemoryAlarmPercent} is out of range: a percentage above 0 and at most 100.");
        check.That(props.ModelLatencyP99AlarmThreshold.ToMilliseconds() >= 1000,
            $"GpuModelEndpointProps.ModelLatencyP99AlarmThreshold = {props.ModelLatencyP99AlarmThreshold.ToMilliseconds()} ms is too short: at least 1 s.");
        var idleMinutes = props.IdleAlarmAfter.ToMilliseconds() / 60_000.0;
        check.That(idleMinutes is >= 60 and <= 24 * 60 && idleMinutes % 60 == 0,
            $"GpuModelEndpointProps.IdleAlarmAfter = {idleMinutes} minutes is out of range: whole hours from 1 to 24 (an alarm evaluates at most 24 hourly periods).");
        var retentionDays = props.DataRetention.ToMilliseconds() / 86_400_000.0;
        check.That(retentionDays is >= 1 and <= 3650 && retentionDays % 1 == 0,
            $"GpuModelEndpointProps.DataRetention = {retentionDays} days is out of range: whole days from 1 to 3650 that captured data and async results are kept.");
        props.Hosting!.Check(check);
        return props;
    }

    private static void CheckEndpointName(ConstructChecks check, string name, string prop) =>
        check.That(Token.IsUnresolved(name) || Regex.IsMatch(name, "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"),
            $"{prop} = '{name}' is not a SageMaker endpoint name: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.");
}
