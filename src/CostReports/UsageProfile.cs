using System.Globalization;
using System.Text.Json;

namespace AwsModelPlatform.CostReports;

/// <summary>Traffic to one SageMaker endpoint (or the endpoints whose path starts with the key it is filed under).</summary>
public sealed record EndpointUsage
{
    /// <summary>Invocations a month.</summary>
    public double RequestsPerMonth { get; init; }
    /// <summary>Model latency of one invocation, in ms.</summary>
    public double ModelLatencyMs { get; init; } = 1000;
    /// <summary>Invocations one instance serves at once (the container's batch or concurrency).</summary>
    public double ConcurrencyPerInstance { get; init; } = 1;
    /// <summary>Share of capacity autoscaling keeps busy (the library's default target is 70 %).</summary>
    public double TargetUtilization { get; init; } = 0.7;
    /// <summary>Instance-hours a month a scale-to-zero endpoint stays up idle before it scales in (cooldowns, alarm periods), when it has any traffic.</summary>
    public double ScaleToZeroIdleHoursPerMonth { get; init; } = 60;
    /// <summary>Payload of one invocation, in KB (SageMaker bills data processed in).</summary>
    public double RequestKb { get; init; } = 4;
    /// <summary>Response of one invocation, in KB (SageMaker bills data processed out).</summary>
    public double ResponseKb { get; init; } = 8;
    /// <summary>
    /// GB of ML storage volume SageMaker attaches to each instance of a type without local NVMe storage, billed per
    /// GB-month while it runs (types with NVMe storage, e.g. ml.g5, get none). The size depends on the instance type:
    /// see SageMaker's "Host instance storage volumes".
    /// </summary>
    public double StorageGbPerInstance { get; init; } = 30;
}

/// <summary>X-Ray sampling of the traced APIs (the library turns tracing on).</summary>
public sealed record XRayUsage
{
    /// <summary>Requests a second traced before the fixed rate applies (X-Ray's default rule: 1).</summary>
    public double ReservoirPerSecond { get; init; } = 1;
    /// <summary>Share of the requests beyond the reservoir that are traced (X-Ray's default rule: 0.05).</summary>
    public double FixedRate { get; init; } = 0.05;
    /// <summary>Traces retrieved or scanned a month (console, queries), per traced API.</summary>
    public double TracesRetrievedPerMonth { get; init; }
}

/// <summary>Traffic to one REST API (or the APIs whose path starts with the key it is filed under).</summary>
public sealed record ApiUsage
{
    /// <summary>Requests a month.</summary>
    public double RequestsPerMonth { get; init; }
    /// <summary>
    /// The teams that call the API, by name, with their shares of its requests and tokens: the inference handler writes
    /// metrics per team, and the reports split the stack's usage-driven cost among them. None: no split, and per-team
    /// metrics are priced for one team.
    /// </summary>
    public Dictionary<string, TeamUsage> Teams { get; init; } = new();
}

/// <summary>One team's part of an API's traffic.</summary>
public sealed record TeamUsage
{
    /// <summary>The team's share of the API's requests (0 to 1; the teams of an API add up to 1).</summary>
    public double RequestShare { get; init; }
    /// <summary>
    /// The team's share of the tokens the models generate and read, which is its share of the GPUs' busy time (0 to 1; the
    /// teams of an API add up to 1). Default: <see cref="RequestShare"/>.
    /// </summary>
    public double? TokenShare { get; init; }
    /// <summary>The token share, or the request share when the profile gives none.</summary>
    public double Tokens => TokenShare ?? RequestShare;
}

/// <summary>
/// Governed access (an API with team access: an access table, a request authorizer, an HMAC key): what one API request
/// costs in DynamoDB requests, authorizer invocations and KMS MAC requests.
/// </summary>
public sealed record AccessUsage
{
    /// <summary>
    /// Share of an API's requests answered from a checked key in a cache (0 to 1): API Gateway's authorizer cache when it
    /// is on (no authorizer invocation), else the authorizer's in-memory cache (an invocation, but no table read and no
    /// MAC) when <c>Access__KeyCacheSeconds</c> is set. Neither cache: every request looks its key up.
    /// </summary>
    public double KeyCacheHitRate { get; init; } = 0.9;
    /// <summary>Read request units of one key lookup (a strongly consistent <c>GetItem</c> of a record under 4 KB).</summary>
    public double ReadUnitsPerKeyLookup { get; init; } = 1;
    /// <summary>KMS requests of one key lookup (one <c>GenerateMac</c> of the presented key).</summary>
    public double MacRequestsPerKeyLookup { get; init; } = 1;
    /// <summary>Read request units per request of the model routes (the team's limits, strongly consistent, under 4 KB).</summary>
    public double ReadUnitsPerRequest { get; init; } = 1;
    /// <summary>
    /// Conditional writes per request that admit it: one per limit window it counts in (requests per minute, tokens per
    /// minute, the month); a refused write is counted like the others.
    /// </summary>
    public double LimitWritesPerRequest { get; init; } = 3;
    /// <summary>Writes per request that settle it: the tokens-per-minute and month windows to the real usage, and the usage ledger.</summary>
    public double SettleWritesPerRequest { get; init; } = 3;
    /// <summary>Billed duration of one authorizer invocation, in ms (a key lookup: one DynamoDB read and one KMS MAC).</summary>
    public double AuthorizerDurationMs { get; init; } = 50;
    /// <summary>GB an access table holds (keys, team limits, minute windows until their TTL, the months' counters and ledger).</summary>
    public double TableGb { get; init; } = 1;
}

/// <summary>Invocations of one Lambda function (or the functions whose path starts with the key).</summary>
public sealed record FunctionUsage
{
    /// <summary>Invocations a month.</summary>
    public double InvocationsPerMonth { get; init; }
    /// <summary>Billed duration of one invocation, in ms.</summary>
    public double DurationMs { get; init; } = 100;
    /// <summary>
    /// The function's own CPU time per invocation with one full vCPU (1769 MB), in ms: the part of the duration that grows
    /// when a smaller memory size gives it less CPU (bench/memory.sh measures the handler's). The rest is waiting on the model.
    /// </summary>
    public double CpuMs { get; init; }
}

/// <summary>GPU training.</summary>
public sealed record TrainingUsage
{
    /// <summary>GPU-hours a month of training jobs.</summary>
    public double GpuHoursPerMonth { get; init; }
    /// <summary>Share of those hours that run on Spot when a Spot environment exists (0 to 1).</summary>
    public double SpotShare { get; init; } = 1;
    /// <summary>Instance type jobs run on; default: the first of each compute environment.</summary>
    public string? InstanceType { get; init; }
}

/// <summary>The comparison plotted in the break-even chart.</summary>
public sealed record BreakevenUsage
{
    /// <summary>SageMaker instance type of the instance-based modes.</summary>
    public string InstanceType { get; init; } = "ml.g5.2xlarge";
    /// <summary>Instances the always-on endpoint keeps (min instances N).</summary>
    public int AlwaysOnInstances { get; init; } = 1;
    /// <summary>Most instances the scaling modes may run.</summary>
    public int MaxInstances { get; init; } = 4;
    /// <summary>Model latency of one invocation, in ms.</summary>
    public double ModelLatencyMs { get; init; } = 1000;
    /// <summary>Invocations one instance serves at once.</summary>
    public double ConcurrencyPerInstance { get; init; } = 4;
    /// <summary>Share of capacity autoscaling keeps busy.</summary>
    public double TargetUtilization { get; init; } = 0.7;
    /// <summary>Idle instance-hours a month of a scale-to-zero endpoint with traffic.</summary>
    public double ScaleToZeroIdleHoursPerMonth { get; init; } = 60;
    /// <summary>
    /// Latency of one invocation on serverless inference, in ms. Serverless has no GPU (CPU only, at most 6 GB), so
    /// it serves only a model small enough to run there, and usually more slowly.
    /// </summary>
    /// <remarks>Default: <see cref="ModelLatencyMs"/>.</remarks>
    public double? ServerlessLatencyMs { get; init; }
    /// <summary>Memory of the serverless endpoint, in MB (SageMaker allows at most 6144).</summary>
    public int ServerlessMemoryMb { get; init; } = 6144;
    /// <summary>Right end of the chart's x axis, in requests a month.</summary>
    public double MaxRequestsPerMonth { get; init; } = 3_000_000;
}

/// <summary>
/// The usage profile the reports price expected costs with (<c>cost-reports/usage.json</c>). Maps of endpoints,
/// APIs and functions are keyed by construct path (<c>Stack/Construct/...</c>) prefixes; the longest matching key
/// wins and <c>*</c> matches everything.
/// </summary>
public sealed record UsageProfile
{
    /// <summary>What the profile describes.</summary>
    public string Description { get; init; } = "";
    /// <summary>Endpoint traffic by path prefix.</summary>
    public Dictionary<string, EndpointUsage> Endpoints { get; init; } = new();
    /// <summary>API traffic by path prefix.</summary>
    public Dictionary<string, ApiUsage> Apis { get; init; } = new();
    /// <summary>Function invocations by path prefix (functions not matched are priced at zero use: CDK's deploy-time providers).</summary>
    public Dictionary<string, FunctionUsage> Functions { get; init; } = new();
    /// <summary>Training.</summary>
    public TrainingUsage Training { get; init; } = new();
    /// <summary>GB stored in each S3 bucket (Standard).</summary>
    public double S3GbPerBucket { get; init; }
    /// <summary>GB ingested a month into each log group.</summary>
    public double LogIngestedGbPerLogGroup { get; init; }
    /// <summary>GB kept in each log group.</summary>
    public double LogStoredGbPerLogGroup { get; init; }
    /// <summary>GB a month through the interface endpoints of a stack, spread evenly over them.</summary>
    public double InterfaceEndpointGbPerMonth { get; init; }
    /// <summary>GB a month through the NAT gateways of a stack, spread evenly over them.</summary>
    public double NatGatewayGbPerMonth { get; init; }
    /// <summary>CloudTrail data events a month, per trail.</summary>
    public double TrailDataEventsPerMonth { get; init; }
    /// <summary>KMS requests a month, per key.</summary>
    public double KmsRequestsPerKeyPerMonth { get; init; }
    /// <summary>Messages published a month, per SNS topic.</summary>
    public double SnsPublishesPerTopicPerMonth { get; init; }
    /// <summary>GB a month a trail delivers to CloudWatch Logs (the trail's log group is then not priced at <see cref="LogIngestedGbPerLogGroup"/>).</summary>
    public double TrailLogGbPerMonth { get; init; }
    /// <summary>GB a month of flow log records each flow log delivers to CloudWatch Logs (vended logs; its log group is then not priced at <see cref="LogIngestedGbPerLogGroup"/>).</summary>
    public double FlowLogGbPerMonth { get; init; }
    /// <summary>GB a month scanned by CloudWatch Logs Insights queries, per stack with log groups.</summary>
    public double LogsInsightsGbScannedPerMonth { get; init; }
    /// <summary>GB a month sent between Availability Zones, per VPC (billed out of one AZ and into the other).</summary>
    public double CrossAzGbPerMonth { get; init; }
    /// <summary>X-Ray sampling of the traced APIs.</summary>
    public XRayUsage XRay { get; init; } = new();
    /// <summary>Governed access: DynamoDB, authorizer and MAC requests per API request, and the access table's size.</summary>
    public AccessUsage Access { get; init; } = new();
    /// <summary>The break-even comparison.</summary>
    public BreakevenUsage Breakeven { get; init; } = new();

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// Reads a profile; unknown properties are refused so a typo does not silently price zero, and so are shares that do not
    /// add up.
    /// </summary>
    public static UsageProfile Parse(string json)
    {
        UsageProfile profile;
        try
        {
            profile = JsonSerializer.Deserialize<UsageProfile>(json, Options) ?? new UsageProfile();
        }
        catch (JsonException e)
        {
            throw new CliException($"usage profile: {e.Message}");
        }
        profile.Validate();
        return profile;
    }

    /// <summary>Refuses shares outside 0 to 1, and teams of an API whose shares do not add up to 1.</summary>
    public void Validate()
    {
        static bool IsShare(double v) => v is >= 0 and <= 1;
        if (!IsShare(Access.KeyCacheHitRate))
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"usage profile: access.keyCacheHitRate = {Access.KeyCacheHitRate} is not a share: give 0 to 1."));
        foreach (var (path, api) in Apis.Where(a => a.Value.Teams.Count > 0))
        {
            foreach (var (team, t) in api.Teams)
                if (!IsShare(t.RequestShare) || !IsShare(t.Tokens))
                    throw new CliException($"usage profile: apis[\"{path}\"].teams[\"{team}\"] has a share outside 0 to 1; "
                        + "give requestShare and tokenShare from 0 to 1.");
            var sums = new[] { ("requestShare", api.Teams.Values.Sum(t => t.RequestShare)), ("tokenShare", api.Teams.Values.Sum(t => t.Tokens)) };
            foreach (var (what, sum) in sums)
                if (Math.Abs(sum - 1) > 1e-6)
                    throw new CliException($"usage profile: the teams of apis[\"{path}\"] have a {what} adding up to "
                        + $"{sum.ToString("0.####", CultureInfo.InvariantCulture)}, not 1: the split would not add up to the cost. "
                        + "Give each team its part of the whole.");
        }
    }

    /// <summary>The entry of <paramref name="map"/> whose key is the longest prefix of <paramref name="path"/> (or <c>*</c>).</summary>
    public static T? Match<T>(IReadOnlyDictionary<string, T> map, string path) where T : class =>
        map.Where(e => e.Key == "*" || path.StartsWith(e.Key, StringComparison.Ordinal))
            .OrderByDescending(e => e.Key == "*" ? -1 : e.Key.Length).Select(e => e.Value).FirstOrDefault();
}
