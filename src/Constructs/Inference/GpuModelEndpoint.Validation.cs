using System.Text.RegularExpressions;

namespace AwsModelPlatform.Constructs.Inference;

// Synth-time validation of the endpoint's props.
public sealed partial class GpuModelEndpoint
{
    // Runs before the base constructor, so a bad prop fails synthesis before any resource (or standalone platform) is made.
    private static GpuModelEndpointProps Checked(GpuModelEndpointProps props)
    {
        ArgumentNullException.ThrowIfNull(props);
        Validate.That(props.Hosting is not null, "GpuModelEndpointProps.Hosting is required: RealTimeHosting, InferenceComponentHosting or ServerlessHosting.");
        Validate.That(props.Image is not null, "GpuModelEndpointProps.Image is required: ModelImage.FromDeepLearningContainer, ModelImage.FromEcrRepository or ModelImage.FromImageUri.");
        ValidateProps(props);
        return props;
    }

    private static void ValidateProps(GpuModelEndpointProps props)
    {
        if (props.EndpointName is { } name) CheckEndpointName(name, "GpuModelEndpointProps.EndpointName");
        Validate.That(props.ServerErrorRateAlarmPercent is > 0 and <= 100,
            $"GpuModelEndpointProps.ServerErrorRateAlarmPercent = {props.ServerErrorRateAlarmPercent} is out of range: a percentage above 0 and at most 100.");
        Validate.That(props.GpuMemoryAlarmPercent is > 0 and <= 100,
            $"GpuModelEndpointProps.GpuMemoryAlarmPercent = {props.GpuMemoryAlarmPercent} is out of range: a percentage above 0 and at most 100.");
        Validate.That(props.ModelLatencyP99AlarmThreshold.ToMilliseconds() >= 1000,
            $"GpuModelEndpointProps.ModelLatencyP99AlarmThreshold = {props.ModelLatencyP99AlarmThreshold.ToMilliseconds()} ms is too short: at least 1 s.");
        var idleMinutes = props.IdleAlarmAfter.ToMilliseconds() / 60_000.0;
        Validate.That(idleMinutes is >= 60 and <= 24 * 60 && idleMinutes % 60 == 0,
            $"GpuModelEndpointProps.IdleAlarmAfter = {idleMinutes} minutes is out of range: whole hours from 1 to 24 (an alarm evaluates at most 24 hourly periods).");
        Validate.InRange(props.DataRetentionDays, 1, 3650, "GpuModelEndpointProps.DataRetentionDays", "days captured data and async results are kept");

        switch (props.Hosting)
        {
            case ServerlessHosting s:
                Validate.That(s.MemorySizeMb is >= 1024 and <= 6144 && s.MemorySizeMb % 1024 == 0,
                    $"ServerlessHosting.MemorySizeMb = {s.MemorySizeMb} is not a size SageMaker Serverless offers: use 1024, 2048, 3072, 4096, 5120 or 6144.");
                Validate.InRange(s.MaxConcurrency, 1, 200, "ServerlessHosting.MaxConcurrency", "SageMaker Serverless allows 1 to 200 concurrent invocations per endpoint");
                if (s.ProvisionedConcurrency is { } pc)
                    Validate.That(pc >= 1 && pc <= s.MaxConcurrency,
                        $"ServerlessHosting.ProvisionedConcurrency = {pc} is out of range: 1 to MaxConcurrency ({s.MaxConcurrency}).");
                break;

            case InstanceHosting ih:
                ValidateInstanceHosting(ih);
                break;
        }
    }

    private static void ValidateInstanceHosting(InstanceHosting ih)
    {
        var p = ih.PropName;
        Validate.That(SageMakerInstanceTypes.TryGet(ih.InstanceType ?? "", out var type),
            $"{p}.InstanceType = '{ih.InstanceType}' is not a SageMaker hosting instance type this library knows and prices; use one of {SageMakerInstanceTypes.Families} (see SageMakerInstanceTypes.All).");
        var minAllowed = ih is RealTimeHosting { Async: null } ? 1 : 0;
        Validate.That(ih.MinInstances >= minAllowed,
            minAllowed == 1
                ? $"{p}.MinInstances = {ih.MinInstances}: a synchronous real-time endpoint cannot scale to zero; use 1 or more, set Async for an async endpoint, or use InferenceComponentHosting to scale to zero."
                : $"{p}.MinInstances = {ih.MinInstances} is negative; use 0 or more.");
        Validate.That(ih.MaxInstances is null || ih.MaxInstances >= Math.Max(1, ih.MinInstances),
            $"{p}.MinInstances = {ih.MinInstances} and MaxInstances = {ih.MaxInstances}: MaxInstances must be at least MinInstances and at least 1.");
        Validate.That(ih.EffectiveInitial >= 1 && ih.EffectiveInitial >= ih.MinInstances && ih.EffectiveInitial <= ih.EffectiveMax,
            $"{p}.InitialInstances = {ih.EffectiveInitial} is out of range: from max(1, MinInstances) = {Math.Max(1, ih.MinInstances)} to MaxInstances = {ih.EffectiveMax}.");
        Validate.That(!type.IsBurstable || ih.EffectiveMax == ih.MinInstances,
            $"{p}.InstanceType = '{ih.InstanceType}' is burstable: its CPU credits make scaling metrics meaningless, so autoscaling (MinInstances {ih.MinInstances} < MaxInstances {ih.EffectiveMax}) is refused; set MaxInstances = MinInstances or use a non-burstable type such as ml.m5.large.");
        if (ih.VolumeSizeGb is { } volume)
        {
            Validate.That(!type.HasLocalNvmeStorage,
                $"{p}.VolumeSizeGb = {volume} cannot be set for {type.Name}: it has local NVMe instance storage, which SageMaker uses instead of an EBS volume (and refuses VolumeSizeInGB for); leave VolumeSizeGb unset.");
            Validate.InRange(volume, 1, 512, $"{p}.VolumeSizeGb", "SageMaker attaches 1 to 512 GB of EBS per instance");
        }
        CheckSeconds(ih.ContainerStartupTimeout, 60, 3600, $"{p}.ContainerStartupTimeout");
        CheckSeconds(ih.ModelDownloadTimeout, 60, 3600, $"{p}.ModelDownloadTimeout");
        CheckSeconds(ih.ScaleOutCooldown, 0, 86400, $"{p}.ScaleOutCooldown");
        CheckSeconds(ih.ScaleInCooldown, 0, 86400, $"{p}.ScaleInCooldown");
        Validate.InRange(ih.TargetUtilizationPercent, 10, 90, $"{p}.TargetUtilizationPercent", "target tracking needs headroom but must not idle");

        switch (ih)
        {
            case RealTimeHosting rt:
                Validate.That(rt.MaxRequestsPerSecondPerInstance > 0,
                    $"RealTimeHosting.MaxRequestsPerSecondPerInstance = {rt.MaxRequestsPerSecondPerInstance} must be above 0: the requests per second one instance sustains.");
                if (rt.Async is { } async)
                {
                    if (async.MaxConcurrentInvocationsPerInstance is { } c)
                        Validate.InRange(c, 1, 1000, "AsyncInference.MaxConcurrentInvocationsPerInstance", "SageMaker accepts 1 to 1000");
                    Validate.That(async.TargetBacklogPerInstance > 0,
                        $"AsyncInference.TargetBacklogPerInstance = {async.TargetBacklogPerInstance} must be above 0: the queued requests per instance backlog scaling holds.");
                    Validate.That(async.BacklogAgeAlarmThreshold.ToSeconds() >= 60,
                        $"AsyncInference.BacklogAgeAlarmThreshold = {async.BacklogAgeAlarmThreshold.ToSeconds()} s is too short: at least 60 s.");
                    Validate.That(async.InvocationFailuresAlarmThreshold >= 1,
                        $"AsyncInference.InvocationFailuresAlarmThreshold = {async.InvocationFailuresAlarmThreshold} must be at least 1: the failed async requests in 5 minutes that raise the alarm.");
                }
                if (rt.DataCapture is { Enabled: true } capture)
                {
                    Validate.InRange(capture.SamplingPercent, 1, 100, "DataCapture.SamplingPercent", "a percentage of requests");
                    Validate.That(capture.CaptureInput || capture.CaptureOutput,
                        "DataCapture: CaptureInput and CaptureOutput are both false; capture at least one, or use DataCapture.Off.");
                }
                if (rt.Guardrails is { Enabled: true } g)
                {
                    if (g.Traffic is { } t)
                    {
                        if (t.Percent is { } percent)
                            Validate.InRange(percent, 1, 99, $"DeploymentGuardrails.Traffic ({t.Type}) percent", "a share of the new fleet's capacity, less than all of it");
                        CheckSeconds(t.Wait, 0, 3600, $"DeploymentGuardrails.Traffic ({t.Type}) wait");
                    }
                    CheckSeconds(g.TerminationWait, 0, 3600, "DeploymentGuardrails.TerminationWait");
                    CheckSeconds(g.MaximumExecutionTimeout, 600, 28800, "DeploymentGuardrails.MaximumExecutionTimeout");
                }
                break;

            case InferenceComponentHosting ic:
                Validate.That(type.Accelerators == 0 ? ic.AcceleratorsPerCopy == 0 : ic.AcceleratorsPerCopy >= 1 && ic.AcceleratorsPerCopy <= type.Accelerators,
                    type.Accelerators == 0
                        ? $"InferenceComponentHosting.AcceleratorsPerCopy = {ic.AcceleratorsPerCopy}: {type.Name} has no accelerator; set 0."
                        : $"InferenceComponentHosting.AcceleratorsPerCopy = {ic.AcceleratorsPerCopy} is out of range: {type.Name} has {type.Accelerators} accelerator(s), so 1 to {type.Accelerators}.");
                Validate.That(ic.MemoryPerCopyMb >= 128,
                    $"InferenceComponentHosting.MemoryPerCopyMb = {ic.MemoryPerCopyMb} is too small: SageMaker requires at least 128 MB per copy.");
                if (ic.CpuCoresPerCopy is { } cores)
                    Validate.That(cores >= 0.25, $"InferenceComponentHosting.CpuCoresPerCopy = {cores} is too small: at least 0.25 cores.");
                Validate.That(ic.MinCopies >= 0, $"InferenceComponentHosting.MinCopies = {ic.MinCopies} is negative; use 0 (scale to zero) or more.");
                Validate.That(ic.MaxCopies is null || ic.MaxCopies >= Math.Max(1, ic.MinCopies),
                    $"InferenceComponentHosting.MinCopies = {ic.MinCopies} and MaxCopies = {ic.MaxCopies}: MaxCopies must be at least MinCopies and at least 1.");
                Validate.That(ic.InitialCopies >= ic.MinCopies && (ic.MaxCopies is null || ic.InitialCopies <= ic.MaxCopies),
                    $"InferenceComponentHosting.InitialCopies = {ic.InitialCopies} is out of range: from MinCopies = {ic.MinCopies} to MaxCopies = {ic.MaxCopies?.ToString() ?? "what MaxInstances hold"}.");
                // Without MaxCopies the bound is what MaxInstances hold (AcceleratorsPerCopy was checked above); more
                // initial copies than fit leave the deployment waiting for instances managed scaling will never add.
                if (ic.MaxCopies is null)
                {
                    var fit = MaxCopiesThatFit(ic, type);
                    Validate.That(ic.InitialCopies <= fit,
                        $"InferenceComponentHosting.InitialCopies = {ic.InitialCopies} is more than the {fit} cop{(fit == 1 ? "y" : "ies")} MaxInstances = {ic.EffectiveMax} × {type.Name} hold " +
                        $"({(ic.AcceleratorsPerCopy > 0 ? $"{type.Accelerators / ic.AcceleratorsPerCopy} per instance at {ic.AcceleratorsPerCopy} accelerator(s) per copy" : "1 per instance without accelerators")}); " +
                        "lower InitialCopies, raise MaxInstances or use fewer accelerators per copy.");
                }
                Validate.That(ic.MaxRequestsPerSecondPerCopy > 0,
                    $"InferenceComponentHosting.MaxRequestsPerSecondPerCopy = {ic.MaxRequestsPerSecondPerCopy} must be above 0: the requests per second one copy sustains.");
                break;
        }
    }

    private static void CheckSeconds(Duration duration, int min, int max, string prop)
    {
        var seconds = duration.ToMilliseconds() / 1000.0;
        Validate.That(seconds >= min && seconds <= max && seconds == Math.Floor(seconds), $"{prop} = {seconds} s is out of range: whole seconds from {min} to {max}.");
    }

    private static void CheckEndpointName(string name, string prop) =>
        Validate.That(Token.IsUnresolved(name) || Regex.IsMatch(name, "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"),
            $"{prop} = '{name}' is not a SageMaker endpoint name: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.");
}
