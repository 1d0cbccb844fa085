using System.Collections.Concurrent;

namespace AwsModelPlatform.Handlers.Tests.Fakes;

/// <summary>How a fake inference component or endpoint variant comes back from zero.</summary>
public enum WakeBehaviour
{
    /// <summary>Copies arrive <see cref="FakeInferenceComponent.WakeDelay"/> after the wake call.</summary>
    Wakes,

    /// <summary>The wake call is accepted, and the copies never arrive: no instance of the type can be had.</summary>
    OutOfCapacity,
}

/// <summary>
/// One inference component of the fake SageMaker: its current and desired copies and its status, as
/// <c>DescribeInferenceComponent</c> reports them. With no copy, the runtime front answers invocations as SageMaker does
/// (400 <c>ValidationError</c>, "Inference Component has no capacity ..."). A wake (<c>UpdateInferenceComponentRuntimeConfig</c>)
/// sets the desired copies and the status <c>Updating</c>; the copies arrive after <see cref="WakeDelay"/>, or never when the
/// component is <see cref="WakeBehaviour.OutOfCapacity"/>: it then stays <c>Updating</c> with its desired copies above its
/// current ones, and no <c>FailureReason</c>. SageMaker keeps trying to place copies it cannot; the API reference documents
/// no separate state for that, so the fake reports what the fields mean (DescribeInferenceComponent:
/// https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeInferenceComponent.html).
/// </summary>
public sealed class FakeInferenceComponent(string name, string endpointName, int copies, TimeSpan wakeDelay, WakeBehaviour behaviour = WakeBehaviour.Wakes)
{
    private readonly object _gate = new();
    private int _current = copies;
    private int _desired = copies;
    private DateTimeOffset? _arrivesAt;
    private DateTimeOffset _modified = DateTimeOffset.UtcNow;

    public string Name { get; } = name;
    public string EndpointName { get; } = endpointName;
    public TimeSpan WakeDelay { get; set; } = wakeDelay;
    public WakeBehaviour Behaviour { get; set; } = behaviour;

    /// <summary>
    /// When set, a failed invocation (no capacity) starts the wake itself after this delay: the alarm on
    /// <c>NoCapacityInvocationFailures</c> and the step-scaling policy the construct deploys, compressed.
    /// </summary>
    public TimeSpan? AlarmPathDelay { get; set; }

    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Wake calls received.</summary>
    public int WakeCalls => Volatile.Read(ref _wakeCalls);
    private int _wakeCalls;

    public (string Status, int Current, int Desired, DateTimeOffset Modified) State(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_arrivesAt is { } at && now >= at)
            {
                _current = _desired;
                _arrivesAt = null;
                _modified = at;
            }
            var status = _current == _desired ? "InService" : "Updating";
            return (status, _current, _desired, _modified);
        }
    }

    /// <summary>Sets the desired copies, as <c>UpdateInferenceComponentRuntimeConfig</c> does.</summary>
    public void SetDesired(int copies, DateTimeOffset now, bool counted = true)
    {
        if (counted) Interlocked.Increment(ref _wakeCalls);
        lock (_gate)
        {
            State(now);
            _desired = copies;
            _modified = now;
            if (copies <= _current)
            {
                _current = copies;
                _arrivesAt = null;
            }
            else if (Behaviour == WakeBehaviour.Wakes)
            {
                _arrivesAt ??= now + WakeDelay;
            }
        }
    }

    /// <summary>Back to zero copies (scaled in), wake calls forgotten: each test starts from an asleep model.</summary>
    public void Sleep()
    {
        lock (_gate)
        {
            _current = _desired = 0;
            _arrivesAt = null;
            _modified = DateTimeOffset.UtcNow;
            Interlocked.Exchange(ref _wakeCalls, 0);
        }
    }

    /// <summary>A request found no copy: the alarm path, when configured, asks for one copy after its delay.</summary>
    public void NoCapacityInvocation(DateTimeOffset now)
    {
        if (AlarmPathDelay is not { } delay) return;
        lock (_gate)
        {
            if (_desired > 0) return;
            _desired = 1;
            _modified = now;
            if (Behaviour == WakeBehaviour.Wakes) _arrivesAt = now + delay + WakeDelay;
        }
    }
}

/// <summary>One endpoint's production variant of the fake SageMaker (async endpoints scale their instances to zero).</summary>
public sealed class FakeEndpointVariant(string endpointName, string variantName, int instances, TimeSpan wakeDelay, IReadOnlyList<string>? instanceTypes = null)
{
    private readonly object _gate = new();
    private int _current = instances;
    private int _desired = instances;
    private DateTimeOffset? _arrivesAt;

    public string EndpointName { get; } = endpointName;
    public string VariantName { get; } = variantName;
    public TimeSpan WakeDelay { get; } = wakeDelay;

    /// <summary>The variant's instance pools, by priority; its instances run on the first.</summary>
    public IReadOnlyList<string> InstanceTypes { get; } = instanceTypes ?? ["ml.g5.xlarge"];

    public int UpdateCalls => Volatile.Read(ref _updateCalls);
    private int _updateCalls;

    public (string Status, int Current, int Desired) State(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_arrivesAt is { } at && now >= at)
            {
                _current = _desired;
                _arrivesAt = null;
            }
            return (_current == _desired ? "InService" : "Updating", _current, _desired);
        }
    }

    public void SetDesired(int count, DateTimeOffset now)
    {
        Interlocked.Increment(ref _updateCalls);
        lock (_gate)
        {
            State(now);
            _desired = count;
            _arrivesAt = now + WakeDelay;
        }
    }
}

/// <summary>The capacity the fake SageMaker's two fronts share: what the control plane changes, the runtime serves from.</summary>
public sealed class FakeCapacity
{
    public const string AccountId = "123456789012";

    public ConcurrentDictionary<string, FakeInferenceComponent> Components { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, FakeEndpointVariant> Endpoints { get; } = new(StringComparer.Ordinal);

    public FakeInferenceComponent Add(FakeInferenceComponent component) => Components[component.Name] = component;
    public FakeEndpointVariant Add(FakeEndpointVariant variant) => Endpoints[variant.EndpointName] = variant;

    public static string Arn(string kind, string name) => $"arn:aws:sagemaker:{FakeSageMakerRuntime.Region}:{AccountId}:{kind}/{name}";
}
