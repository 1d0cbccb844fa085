using Amazon.CDK;
using AwsModelPlatform.Constructs.Inference;

namespace AwsModelPlatform.Constructs.Tests.Inference;

/// <summary>Every prop SageMaker or the platform would refuse fails synthesis, naming the prop, the value and what is accepted.</summary>
public class ValidationTests
{
    // Every message starts with the path of the endpoint it is about; the tests below read what follows.
    private static string Error(EndpointHosting hosting, Func<GpuModelEndpointProps, GpuModelEndpointProps>? edit = null)
    {
        var props = new GpuModelEndpointProps { Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage), Hosting = hosting };
        var message = Synth.ErrorOf(() => new GpuModelEndpoint(Synth.NewStack(), "E", edit is null ? props : edit(props)));
        Assert.StartsWith("Test/E: ", message);
        return message["Test/E: ".Length..];
    }

    private static RealTimeHosting G5 => new() { InstanceType = "ml.g5.2xlarge" };
    private static InferenceComponentHosting Ic => new() { InstanceType = "ml.g5.12xlarge", MemoryPerCopy = Size.Gibibytes(1), MaxInstances = 2 };

    [Fact]
    public void Unknown_instance_type() =>
        Assert.StartsWith("RealTimeHosting.InstanceType = 'ml.g5.3xlarge' is not a SageMaker hosting instance type this library knows and prices; use one of ml.t2.*, ml.m5.*",
            Error(G5 with { InstanceType = "ml.g5.3xlarge" }));

    [Fact]
    public void Synchronous_real_time_cannot_scale_to_zero() =>
        Assert.Equal("RealTimeHosting.MinInstances = 0: a synchronous real-time endpoint cannot scale to zero; use 1 or more, set Async for an async endpoint, or use InferenceComponentHosting to scale to zero.",
            Error(G5 with { MinInstances = 0 }));

    [Fact]
    public void Min_above_max() =>
        Assert.Equal("RealTimeHosting.MinInstances = 3 and MaxInstances = 2: MaxInstances must be at least MinInstances and at least 1.",
            Error(G5 with { MinInstances = 3, MaxInstances = 2 }));

    [Fact]
    public void Negative_min_for_inference_components() =>
        Assert.Equal("InferenceComponentHosting.MinInstances = -1 is negative; use 0 or more.", Error(Ic with { MinInstances = -1 }));

    [Fact]
    public void Initial_outside_min_and_max() =>
        Assert.Equal("RealTimeHosting.InitialInstances = 5 is out of range: from max(1, MinInstances) = 1 to MaxInstances = 2.",
            Error(G5 with { MaxInstances = 2, InitialInstances = 5 }));

    [Fact]
    public void Autoscaling_on_a_burstable_type_is_refused() =>
        Assert.Equal("RealTimeHosting.InstanceType = 'ml.t2.medium' is burstable: its CPU credits make scaling metrics meaningless, so autoscaling (MinInstances 1 < MaxInstances 2) is refused; set MaxInstances = MinInstances or use a non-burstable type such as ml.m5.large.",
            Error(new RealTimeHosting { InstanceType = "ml.t2.medium", MaxInstances = 2 }));

    [Fact]
    public void Volume_size_on_an_NVMe_type() =>
        Assert.Equal("RealTimeHosting.VolumeSize = 100 GiB cannot be set for ml.g5.2xlarge: it has local NVMe instance storage, which SageMaker uses instead of an EBS volume (and refuses VolumeSizeInGB for); leave VolumeSize unset.",
            Error(G5 with { VolumeSize = Size.Gibibytes(100) }));

    [Theory]
    [InlineData(600)]
    [InlineData(0.5)]
    public void Volume_size_out_of_range(double gib) =>
        Assert.Equal($"RealTimeHosting.VolumeSize = {gib.ToString(System.Globalization.CultureInfo.InvariantCulture)} GiB is out of range: SageMaker attaches whole GiB from 1 to 512 of EBS per instance.",
            Error(new RealTimeHosting { InstanceType = "ml.p3.2xlarge", VolumeSize = Size.Gibibytes(gib) }));

    [Theory]
    [InlineData(30)]
    [InlineData(4000)]
    public void Startup_timeout_out_of_range(int seconds) =>
        Assert.Equal($"RealTimeHosting.ContainerStartupTimeout = {seconds} s is out of range: whole seconds from 60 to 3600.",
            Error(G5 with { ContainerStartupTimeout = Duration.Seconds(seconds) }));

    [Fact]
    public void Download_timeout_out_of_range() =>
        Assert.Equal("InferenceComponentHosting.ModelDownloadTimeout = 7200 s is out of range: whole seconds from 60 to 3600.",
            Error(Ic with { ModelDownloadTimeout = Duration.Hours(2) }));

    [Fact]
    public void Target_utilization_out_of_range() =>
        Assert.Equal("RealTimeHosting.TargetUtilizationPercent = 95 is out of range: target tracking needs headroom but must not idle (10 to 90).",
            Error(G5 with { TargetUtilizationPercent = 95 }));

    [Fact]
    public void Request_rate_must_be_positive() =>
        Assert.Equal("RealTimeHosting.MaxRequestsPerSecondPerInstance = 0 must be above 0: the requests per second one instance sustains.",
            Error(G5 with { MaxRequestsPerSecondPerInstance = 0 }));

    [Fact]
    public void Accelerators_per_copy_above_what_the_instance_has() =>
        Assert.Equal("InferenceComponentHosting.AcceleratorsPerCopy = 5 is out of range: ml.g5.12xlarge has 4 accelerator(s), so 1 to 4.",
            Error(Ic with { AcceleratorsPerCopy = 5 }));

    [Fact]
    public void Accelerators_per_copy_on_a_CPU_type() =>
        Assert.Equal("InferenceComponentHosting.AcceleratorsPerCopy = 1: ml.m5.xlarge has no accelerator; set 0.",
            Error(Ic with { InstanceType = "ml.m5.xlarge" }));

    [Fact]
    public void Memory_per_copy_too_small() =>
        Assert.Equal("InferenceComponentHosting.MemoryPerCopy = 64 MiB is not accepted: SageMaker reserves whole MiB per copy, at least 128.",
            Error(Ic with { MemoryPerCopy = Size.Mebibytes(64) }));

    [Fact]
    public void Cpu_cores_per_copy_too_small() =>
        Assert.Equal("InferenceComponentHosting.CpuCoresPerCopy = 0.1 is too small: at least 0.25 cores.", Error(Ic with { CpuCoresPerCopy = 0.1 }));

    [Fact]
    public void Copies_min_above_max() =>
        Assert.Equal("InferenceComponentHosting.MinCopies = 3 and MaxCopies = 2: MaxCopies must be at least MinCopies and at least 1.",
            Error(Ic with { MinCopies = 3, MaxCopies = 2, InitialCopies = 3 }));

    [Fact]
    public void Initial_copies_outside_min_and_max() =>
        Assert.Equal("InferenceComponentHosting.InitialCopies = 4 is out of range: from MinCopies = 0 to MaxCopies = 2.",
            Error(Ic with { MaxCopies = 2, InitialCopies = 4 }));

    [Fact]
    public void Initial_copies_above_what_MaxInstances_hold_when_MaxCopies_is_unset() =>
        // ml.g5.12xlarge has 4 GPUs: 2 instances hold 8 one-GPU copies.
        Assert.Equal("InferenceComponentHosting.InitialCopies = 9 is more than the 8 copies MaxInstances = 2 × ml.g5.12xlarge hold (4 per instance at 1 accelerator(s) per copy); lower InitialCopies, raise MaxInstances or use fewer accelerators per copy.",
            Error(Ic with { InitialCopies = 9 }));

    [Fact]
    public void Initial_copies_above_what_one_instance_holds_with_whole_instance_copies() =>
        Assert.Equal("InferenceComponentHosting.InitialCopies = 2 is more than the 1 copy MaxInstances = 1 × ml.g5.12xlarge hold (1 per instance at 4 accelerator(s) per copy); lower InitialCopies, raise MaxInstances or use fewer accelerators per copy.",
            Error(Ic with { MaxInstances = null, AcceleratorsPerCopy = 4, InitialCopies = 2 }));

    [Fact]
    public void Initial_copies_that_exactly_fill_MaxInstances_are_accepted()
    {
        var template = Synth.Template(s => new GpuModelEndpoint(s, "E", new GpuModelEndpointProps { Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage), Hosting = Ic with { InitialCopies = 8 } }));
        Assert.Equal(8, template.Single("AWS::SageMaker::InferenceComponent")["Properties"]!["RuntimeConfig"]!["CopyCount"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(512)]
    [InlineData(3000)]
    [InlineData(8192)]
    public void Serverless_memory_not_offered(int mib) =>
        Assert.Equal($"ServerlessHosting.MemorySize = {mib} MiB is not a size SageMaker Serverless offers: use 1, 2, 3, 4, 5 or 6 GiB (Size.Gibibytes(n)).",
            Error(new ServerlessHosting { MemorySize = Size.Mebibytes(mib) }));

    [Fact]
    public void Serverless_concurrency_out_of_range() =>
        Assert.Equal("ServerlessHosting.MaxConcurrency = 201 is out of range: SageMaker Serverless allows 1 to 200 concurrent invocations per endpoint (1 to 200).",
            Error(new ServerlessHosting { MaxConcurrency = 201 }));

    [Fact]
    public void Provisioned_concurrency_above_max() =>
        Assert.Equal("ServerlessHosting.ProvisionedConcurrency = 11 is out of range: 1 to MaxConcurrency (10).",
            Error(new ServerlessHosting { ProvisionedConcurrency = 11 }));

    [Fact]
    public void Async_concurrency_out_of_range() =>
        Assert.Equal("AsyncInference.MaxConcurrentInvocationsPerInstance = 0 is out of range: SageMaker accepts 1 to 1000 (1 to 1000).",
            Error(G5 with { Async = new AsyncInference { MaxConcurrentInvocationsPerInstance = 0 } }));

    [Fact]
    public void Async_backlog_target_must_be_positive() =>
        Assert.Equal("AsyncInference.TargetBacklogPerInstance = 0 must be above 0: the queued requests per instance backlog scaling holds.",
            Error(G5 with { Async = new AsyncInference { TargetBacklogPerInstance = 0 } }));

    [Fact]
    public void Async_backlog_age_threshold_too_short() =>
        Assert.Equal("AsyncInference.BacklogAgeAlarmThreshold = 30 s is too short: at least 60 s.",
            Error(G5 with { Async = new AsyncInference { BacklogAgeAlarmThreshold = Duration.Seconds(30) } }));

    [Fact]
    public void Async_failed_invocations_threshold_below_one() =>
        Assert.Equal("AsyncInference.InvocationFailuresAlarmThreshold = 0 must be at least 1: the failed async requests in 5 minutes that raise the alarm.",
            Error(G5 with { Async = new AsyncInference { InvocationFailuresAlarmThreshold = 0 } }));

    [Fact]
    public void Data_capture_sampling_out_of_range() =>
        Assert.Equal("DataCapture.SamplingPercent = 0 is out of range: a percentage of requests (1 to 100).",
            Error(G5 with { DataCapture = new DataCapture { SamplingPercent = 0 } }));

    [Fact]
    public void Data_capture_of_nothing() =>
        Assert.Equal("DataCapture: CaptureInput and CaptureOutput are both false; capture at least one, or use DataCapture.Off.",
            Error(G5 with { DataCapture = new DataCapture { CaptureInput = false, CaptureOutput = false } }));

    [Fact]
    public void Canary_of_the_whole_fleet() =>
        Assert.Equal("DeploymentGuardrails.Traffic (CANARY) percent = 100 is out of range: a share of the new fleet's capacity, less than all of it (1 to 99).",
            Error(G5 with { Guardrails = new DeploymentGuardrails { Traffic = TrafficShift.Canary(100, Duration.Minutes(5)) } }));

    [Fact]
    public void Traffic_wait_too_long() =>
        Assert.Equal("DeploymentGuardrails.Traffic (LINEAR) wait = 7200 s is out of range: whole seconds from 0 to 3600.",
            Error(G5 with { Guardrails = new DeploymentGuardrails { Traffic = TrafficShift.Linear(20, Duration.Hours(2)) } }));

    [Fact]
    public void Deployment_timeout_too_short() =>
        Assert.Equal("DeploymentGuardrails.MaximumExecutionTimeout = 300 s is out of range: whole seconds from 600 to 28800.",
            Error(G5 with { Guardrails = new DeploymentGuardrails { MaximumExecutionTimeout = Duration.Minutes(5) } }));

    [Fact]
    public void Termination_wait_too_long() =>
        Assert.Equal("DeploymentGuardrails.TerminationWait = 7200 s is out of range: whole seconds from 0 to 3600.",
            Error(G5 with { Guardrails = new DeploymentGuardrails { TerminationWait = Duration.Hours(2) } }));

    [Fact]
    public void Invalid_endpoint_name() =>
        Assert.Equal("GpuModelEndpointProps.EndpointName = '-llm' is not a SageMaker endpoint name: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.",
            Error(G5, p => p with { EndpointName = "-llm" }));

    [Fact]
    public void Error_rate_threshold_out_of_range() =>
        Assert.Equal("GpuModelEndpointProps.ServerErrorRateAlarmPercent = 0 is out of range: a percentage above 0 and at most 100.",
            Error(G5, p => p with { ServerErrorRateAlarmPercent = 0 }));

    [Fact]
    public void Gpu_memory_threshold_out_of_range() =>
        Assert.Equal("GpuModelEndpointProps.GpuMemoryAlarmPercent = 101 is out of range: a percentage above 0 and at most 100.",
            Error(G5, p => p with { GpuMemoryAlarmPercent = 101 }));

    [Fact]
    public void Latency_threshold_too_short() =>
        Assert.Equal("GpuModelEndpointProps.ModelLatencyP99AlarmThreshold = 500 ms is too short: at least 1 s.",
            Error(G5, p => p with { ModelLatencyP99AlarmThreshold = Duration.Millis(500) }));

    [Theory]
    [InlineData(30)]
    [InlineData(90)]
    [InlineData(25 * 60)]
    public void Idle_alarm_period_not_whole_hours_from_1_to_24(int minutes) =>
        Assert.Equal($"GpuModelEndpointProps.IdleAlarmAfter = {minutes} minutes is out of range: whole hours from 1 to 24 (an alarm evaluates at most 24 hourly periods).",
            Error(G5, p => p with { IdleAlarmAfter = Duration.Minutes(minutes) }));

    [Theory]
    [InlineData(0)]
    [InlineData(4000)]
    public void Data_retention_out_of_range(int days) =>
        Assert.Equal($"GpuModelEndpointProps.DataRetention = {days} days is out of range: whole days from 1 to 3650 that captured data and async results are kept.",
            Error(G5, p => p with { DataRetention = Duration.Days(days) }));

    [Fact]
    public void Data_retention_in_part_days() =>
        Assert.Equal("GpuModelEndpointProps.DataRetention = 1.5 days is out of range: whole days from 1 to 3650 that captured data and async results are kept.",
            Error(G5, p => p with { DataRetention = Duration.Hours(36) }));

    [Fact]
    public void Messages_name_the_endpoint_by_its_construct_path()
    {
        var stack = Synth.NewStack();
        var team = new global::Constructs.Construct(stack, "Team");
        var message = Synth.ErrorOf(() => new GpuModelEndpoint(team, "Llm", new GpuModelEndpointProps { Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage), Hosting = G5 with { MinInstances = 0 } }));
        Assert.StartsWith("Test/Team/Llm: RealTimeHosting.MinInstances = 0: a synchronous real-time endpoint cannot scale to zero", message);
    }

    [Fact]
    public void A_refused_endpoint_leaves_nothing_in_the_app()
    {
        var stack = Synth.NewStack();
        Synth.ErrorOf(() => new GpuModelEndpoint(stack, "E", new GpuModelEndpointProps { Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage), Hosting = new ServerlessHosting { MaxConcurrency = 0 } }));
        // Checked before the construct exists: no half-built endpoint or standalone platform is left to synthesize.
        Assert.Empty(stack.Node.Children);
    }

    [Fact]
    public void Messages_read_the_same_in_every_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal("InferenceComponentHosting.CpuCoresPerCopy = 0.1 is too small: at least 0.25 cores.", Error(Ic with { CpuCoresPerCopy = 0.1 }));
            Assert.Equal("GpuModelEndpointProps.ServerErrorRateAlarmPercent = 100.5 is out of range: a percentage above 0 and at most 100.", Error(G5, p => p with { ServerErrorRateAlarmPercent = 100.5 }));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Image_URI_that_is_not_ECR() =>
        Assert.Equal("ModelImage.FromImageUri: imageUri = 'ghcr.io/huggingface/tgi:3' is not an ECR image URI; give ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG (or @sha256:DIGEST), e.g. an AWS deep-learning container.",
            Synth.ErrorOf(() => ModelImage.FromImageUri("ghcr.io/huggingface/tgi:3")));

    [Fact]
    public void Image_tag_that_is_not_a_tag() =>
        Assert.Equal("ModelImage.FromEcrRepository: tagOrDigest = 'v 1' is neither an image tag (letters, digits, _ . -, up to 128) nor a digest (sha256: and 64 hex digits).",
            Synth.ErrorOf(() => ModelImage.FromEcrRepository(null!, "v 1")));

    [Fact]
    public void Archive_that_is_not_a_tarball() =>
        Assert.Equal("ModelData.FromArchive: key = 'model.zip' is not a model archive; SageMaker expects a gzipped tar, e.g. models/llm/model.tar.gz (no leading '/'). For uncompressed weights use ModelData.FromPrefix.",
            Synth.ErrorOf(() => ModelData.FromArchive(null!, "model.zip")));

    [Fact]
    public void Prefix_without_a_trailing_slash() =>
        Assert.Equal("ModelData.FromPrefix: prefix = 'models/llm' must be a non-empty S3 prefix ending in '/' without a leading '/', e.g. models/llama-3-8b/; SageMaker copies every object under it.",
            Synth.ErrorOf(() => ModelData.FromPrefix(null!, "models/llm")));

    [Fact]
    public void Platform_and_standalone_options_together() =>
        Assert.Contains("StandaloneOptions configure the platform the construct creates when Platform is not given",
            Synth.ErrorOf(() =>
            {
                var stack = Synth.NewStack();
                new GpuModelEndpoint(stack, "E", new GpuModelEndpointProps
                {
                    Image = ModelImage.FromImageUri(EndpointTemplates.TgiImage),
                    Hosting = G5,
                    Platform = new AwsModelPlatform.Constructs.Foundation.ModelPlatform(stack, "P"),
                    StandaloneOptions = new AwsModelPlatform.Constructs.Foundation.ModelPlatformProps(),
                });
            }));
}
