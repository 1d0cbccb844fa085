using System.Globalization;
using System.Text.Json.Nodes;

namespace AwsModelPlatform.CostReports;

/// <summary>One billable line of a report.</summary>
/// <param name="Stack">Stack name.</param>
/// <param name="Resource">Construct path below the stack.</param>
/// <param name="Type">CloudFormation type.</param>
/// <param name="Quantity">Units a month.</param>
/// <param name="Unit">Unit, as the price table names it.</param>
/// <param name="UnitPriceUsd">Price of one unit.</param>
/// <param name="Note">How the quantity was reached.</param>
/// <param name="Price">The table price the line uses, when it is one (a Spot line derives its own).</param>
internal sealed record ReportLine(string Stack, string Resource, string Type, double Quantity, string Unit, double UnitPriceUsd, string Note, Price? Price = null)
{
    /// <summary>What the line's cost follows, which decides how the per-team split shares it.</summary>
    /// <remarks>Default: <see cref="CostDriver.Fixed"/>.</remarks>
    public CostDriver Driver { get; init; } = CostDriver.Fixed;

    /// <summary>Of a <see cref="CostDriver.PerTeam"/> line: the units its teams add together (the rest of the quantity is shared).</summary>
    public double PerTeamQuantity { get; init; }

    /// <summary>Of a Lambda function's GB-second line: what it would cost at other memory sizes (<see cref="LambdaMemorySizes"/>).</summary>
    public FunctionSizing? Function { get; init; }

    /// <summary>Quantity × unit price, rounded to cents (totals add these rounded figures, so a CSV sums to its report).</summary>
    public decimal MonthlyUsd => Math.Round((decimal)(Quantity * UnitPriceUsd), 2, MidpointRounding.AwayFromZero);

    /// <summary>The key a diff matches lines by.</summary>
    public string Key => $"{Stack}|{Resource}|{Type}|{Unit}";
}

/// <summary>What a report line's cost follows: how the per-team split (<see cref="TeamSplit"/>) shares it among an API's teams.</summary>
internal enum CostDriver
{
    /// <summary>Billed whatever the traffic (keys, alarms, storage, log groups): shared, not split.</summary>
    Fixed,

    /// <summary>Billed per API request (gateway, functions, WAF, traces, DynamoDB, MACs, data processed): split by request share.</summary>
    Requests,

    /// <summary>GPU capacity (endpoint instance-hours and what runs with them): split by token share, the share of busy time.</summary>
    GpuTime,

    /// <summary>Per-team custom metrics: each team pays its own (<see cref="ReportLine.PerTeamQuantity"/>).</summary>
    PerTeam,
}

/// <summary>How instance-based and serverless endpoints are billed for a given traffic: the one model the reports and the break-even chart share.</summary>
public static class EndpointModel
{
    /// <summary>Hours in the month (AWS's price pages).</summary>
    public const double HoursPerMonth = PriceTable.HoursPerMonth;

    /// <summary>Instance-hours of pure work: requests × latency, divided among the invocations an instance serves at once.</summary>
    public static double BusyInstanceHours(double requests, double latencyMs, double concurrencyPerInstance) =>
        requests * latencyMs / 1000 / 3600 / concurrencyPerInstance;

    /// <summary>An endpoint that keeps <paramref name="min"/> ≥ 1 instances: at least min × 730 h, more when the work at the target utilization needs it, at most max × 730 h.</summary>
    public static double AlwaysOnHours(int min, int max, double busyHours, double utilization) =>
        Math.Min(max * HoursPerMonth, Math.Max(min * HoursPerMonth, busyHours / utilization));

    /// <summary>An endpoint that scales to zero: the work at the target utilization plus the idle tail before scale-in, nothing without traffic, at most max × 730 h.</summary>
    public static double ScaleToZeroHours(int max, double busyHours, double utilization, double idleHours, double requests) =>
        requests <= 0 ? 0 : Math.Min(max * HoursPerMonth, busyHours / utilization + idleHours);

    /// <summary>Serverless inference: GB-seconds of requests × duration × memory.</summary>
    public static double ServerlessGbSeconds(double requests, double latencyMs, int memoryMb) =>
        requests * latencyMs / 1000 * memoryMb / 1024.0;
}

/// <summary>Adds one line: quantity, table price, how the quantity was reached, and what its cost follows.</summary>
internal delegate void LineSink(double quantity, Price price, string note, CostDriver driver);

/// <summary>Prices every billable resource of a template for a usage profile, from the library's price table.</summary>
internal sealed class Pricers(PriceTable table, UsageProfile usage)
{
    /// <summary>The region whose prices the reports use when a stack's region is not priced or not known (the table's default).</summary>
    public string Region { get; } = table.DefaultRegion;

    /// <summary>The region whose prices apply to <paramref name="stack"/>: its own when the table prices it, else <see cref="Region"/>.</summary>
    public string RegionFor(StackTemplate stack) => table.PricedRegion(stack.Region);

    // The region of the stack being priced; set by Price, which prices one stack at a time.
    private string _region = table.DefaultRegion;

    private Price P(string service, string sku) => table.Get(_region, service, sku);

    /// <summary>Seconds in the 730-hour month.</summary>
    private const double SecondsPerMonth = PriceTable.HoursPerMonth * 3600;

    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Every billable line of <paramref name="stack"/>, in template order.</summary>
    public List<ReportLine> Price(StackTemplate stack)
    {
        _region = RegionFor(stack);
        var lines = new List<ReportLine>();
        var resources = stack.Resources.ToList();
        int Count(Func<JsonObject, bool> match) => resources.Count(r => match(r.Resource));
        var vendedDestinations = VendedLogDestinations(resources);
        var interfaceEndpoints = Count(IsInterfaceEndpoint);
        var natGateways = Count(r => TypeOf(r) == "AWS::EC2::NatGateway");
        var access = new AccessTraffic(stack, usage);
        foreach (var (id, r) in resources)
        {
            var type = TypeOf(r);
            var path = stack.PathOf(id, r);
            var props = r["Properties"] as JsonObject ?? new JsonObject();
            void Add(double quantity, Price price, string note, CostDriver driver = CostDriver.Fixed) =>
                lines.Add(new ReportLine(stack.Name, path, type, quantity, price.Unit, price.Usd, note, price) { Driver = driver });
            switch (type)
            {
                case "AWS::SageMaker::Endpoint":
                    PriceEndpoint(stack, path, r, Add);
                    break;
                case "AWS::Batch::ComputeEnvironment":
                    PriceComputeEnvironment(stack, resources, props, Add);
                    break;
                case "AWS::DynamoDB::Table":
                    PriceDynamoDbTable(id, props, access, Add);
                    break;
                case "AWS::KMS::Key" when IsHmacKey(props):
                {
                    Add(1, P(PriceTable.Kms, "key-month"), "one customer managed HMAC key (the same $1/month as any KMS key)");
                    access.IsHmacKeyOfAuthorizer(id, out var lookups);
                    Add(lookups * usage.Access.MacRequestsPerKeyLookup, P(PriceTable.Kms, "mac-request"),
                        $"GenerateMac requests: {F(lookups)} key lookups a month × {F(usage.Access.MacRequestsPerKeyLookup)} (usage profile access)",
                        CostDriver.Requests);
                    break;
                }
                case "AWS::EC2::VPCEndpoint" when IsInterfaceEndpoint(r):
                {
                    var azs = (props["SubnetIds"] as JsonArray)?.Count ?? 1;
                    Add(azs * EndpointModel.HoursPerMonth, P(PriceTable.InterfaceEndpoint, "az-hour"), $"{azs} AZ(s) × {F(EndpointModel.HoursPerMonth)} h");
                    Add(usage.InterfaceEndpointGbPerMonth / interfaceEndpoints, P(PriceTable.InterfaceEndpoint, "gb-processed"), $"{F(usage.InterfaceEndpointGbPerMonth)} GB spread over {interfaceEndpoints} interface endpoints");
                    break;
                }
                case "AWS::EC2::NatGateway":
                    Add(EndpointModel.HoursPerMonth, P(PriceTable.NatGateway, "hour"), "every hour of the month");
                    Add(usage.NatGatewayGbPerMonth / natGateways, P(PriceTable.NatGateway, "gb-processed"), $"{F(usage.NatGatewayGbPerMonth)} GB spread over {natGateways} NAT gateways");
                    break;
                case "AWS::KMS::Key":
                    Add(1, P(PriceTable.Kms, "key-month"), "one customer managed key");
                    if (props["EnableKeyRotation"]?.GetValue<bool>() == true)
                        Add(2, P(PriceTable.Kms, "rotation-month"), "rotation on: the first two rotations add $1/month each (from the second year)");
                    Add(usage.KmsRequestsPerKeyPerMonth, P(PriceTable.Kms, "request"), "requests per key (usage profile)");
                    break;
                case "AWS::EC2::EIP":
                    Add(EndpointModel.HoursPerMonth, P(PriceTable.PublicIpv4, "address-hour"), "one public IPv4 address, every hour of the month");
                    break;
                case "AWS::EC2::VPC":
                    Add(usage.CrossAzGbPerMonth * 2, P(PriceTable.DataTransfer, "inter-az.gb"), $"{F(usage.CrossAzGbPerMonth)} GB across Availability Zones (usage profile), billed out of one AZ and into the other");
                    break;
                case "AWS::EC2::FlowLog" when IsToCloudWatchLogs(props):
                    Add(usage.FlowLogGbPerMonth, P(PriceTable.CloudWatch, "logs.vended-ingestion"), "flow log records delivered to CloudWatch Logs (usage profile), vended-log rate");
                    break;
                case "AWS::ApiGateway::Stage" when props["TracingEnabled"]?.GetValue<bool>() == true:
                {
                    var api = UsageProfile.Match(usage.Apis, stack.Name + "/" + path) ?? new ApiUsage();
                    var traces = Traces(api.RequestsPerMonth);
                    Add(traces, P(PriceTable.XRay, "trace-recorded"),
                        $"X-Ray tracing on: {F(api.RequestsPerMonth)} requests sampled at {F(usage.XRay.ReservoirPerSecond)}/s + "
                        + $"{F(usage.XRay.FixedRate * 100)} % of the rest (the functions it invokes join the same trace)",
                        CostDriver.Requests);
                    if (usage.XRay.TracesRetrievedPerMonth > 0)
                        Add(usage.XRay.TracesRetrievedPerMonth, P(PriceTable.XRay, "trace-retrieved"), "traces retrieved or scanned (usage profile)");
                    break;
                }
                case "AWS::CloudWatch::Alarm":
                {
                    var (sku, metrics) = AlarmBilling(props);
                    Add(metrics, P(PriceTable.CloudWatch, sku), metrics == 1 ? "one alarm on one metric" : $"one alarm on {metrics} metrics");
                    break;
                }
                case "AWS::CloudWatch::CompositeAlarm":
                    Add(1, P(PriceTable.CloudWatch, "alarm.composite"), "one composite alarm");
                    break;
                case "AWS::CloudWatch::Dashboard":
                    Add(1, P(PriceTable.CloudWatch, "dashboard"), "one dashboard (the 3 free ones ignored)");
                    break;
                case "AWS::Logs::LogGroup":
                    if (vendedDestinations.TryGetValue(id, out var source))
                        Add(0, P(PriceTable.CloudWatch, "logs.ingestion"), $"ingestion priced on {source}");
                    else
                        Add(usage.LogIngestedGbPerLogGroup, P(PriceTable.CloudWatch, "logs.ingestion"), "GB ingested per log group (usage profile)");
                    Add(usage.LogStoredGbPerLogGroup, P(PriceTable.CloudWatch, "logs.storage"), "GB stored per log group (usage profile)");
                    break;
                case "AWS::S3::Bucket":
                    Add(usage.S3GbPerBucket, P(PriceTable.S3, "standard.storage"), "GB stored per bucket (usage profile)");
                    break;
                case "AWS::CloudTrail::Trail":
                    Add(usage.TrailDataEventsPerMonth, P(PriceTable.CloudTrail, "data-event"), "data events (usage profile); management events: first copy free");
                    if (props["CloudWatchLogsLogGroupArn"] is not null)
                        Add(usage.TrailLogGbPerMonth, P(PriceTable.CloudWatch, "logs.ingestion"), "the trail's events delivered to CloudWatch Logs (usage profile)");
                    break;
                case "AWS::SNS::Topic":
                    Add(usage.SnsPublishesPerTopicPerMonth, P(PriceTable.Sns, "request"), "publishes per topic (usage profile)");
                    break;
                case "AWS::Lambda::Function":
                {
                    var fn = UsageProfile.Match(usage.Functions, stack.Name + "/" + path);
                    var (invocations, durationMs, cpuMs, note) = access.IsAuthorizer(id, out var authorizations, out var how)
                        ? (authorizations, usage.Access.AuthorizerDurationMs, 0, $"authorizer invocations: {how}")
                        : (fn?.InvocationsPerMonth ?? 0, fn?.DurationMs ?? 0, fn?.CpuMs ?? 0,
                            fn is null ? "no use in the profile (deploy-time function)" : "invocations (usage profile)");
                    var memoryMb = props["MemorySize"]?.GetValue<double>() ?? 128;
                    var arm = props["Architectures"]?.ToJsonString().Contains("arm64") == true;
                    var driver = invocations > 0 ? CostDriver.Requests : CostDriver.Fixed;
                    Add(invocations, P(PriceTable.Lambda, "request"), note, driver);
                    var gbSecond = P(PriceTable.Lambda, arm ? "arm.gb-second" : "x86.gb-second");
                    lines.Add(new ReportLine(stack.Name, path, type, invocations * durationMs / 1000 * memoryMb / 1024, gbSecond.Unit, gbSecond.Usd,
                        $"{F(invocations)} × {F(durationMs)} ms × {F(memoryMb)} MB", gbSecond)
                    {
                        Driver = driver,
                        Function = new FunctionSizing(invocations, durationMs, memoryMb, cpuMs),
                    });
                    break;
                }
                case "AWS::ApiGateway::RestApi":
                {
                    var api = UsageProfile.Match(usage.Apis, stack.Name + "/" + path) ?? new ApiUsage();
                    Add(api.RequestsPerMonth, P(PriceTable.ApiGatewayRest, "request"), "requests (usage profile)", CostDriver.Requests);
                    if (r["Metadata"]?[CostMetadata.CustomMetricsKey] is JsonObject metrics && api.RequestsPerMonth > 0)
                        lines.Add(CustomMetrics(stack.Name, path, metrics, api.Teams.Count));
                    break;
                }
                case "AWS::WAFv2::WebACL":
                {
                    var rules = (props["Rules"] as JsonArray)?.Count ?? 0;
                    var requests = usage.Apis.Values.Sum(a => a.RequestsPerMonth);
                    Add(1, P(PriceTable.Waf, "web-acl"), "one web ACL");
                    Add(rules, P(PriceTable.Waf, "rule"), $"{rules} rule(s)");
                    Add(requests, P(PriceTable.Waf, "request"), "requests of every API in the profile", CostDriver.Requests);
                    break;
                }
            }
        }
        var logGroups = Count(r => TypeOf(r) == "AWS::Logs::LogGroup");
        if (logGroups > 0 && usage.LogsInsightsGbScannedPerMonth > 0)
        {
            var scan = P(PriceTable.CloudWatch, "logs.insights-scan");
            lines.Add(new ReportLine(stack.Name, "(Logs Insights queries)", LogsInsightsType, usage.LogsInsightsGbScannedPerMonth, scan.Unit, scan.Usd,
                $"GB scanned by queries over the stack's {logGroups} log group(s) (usage profile)", scan));
        }
        return lines;
    }

    /// <summary>The type column of the Logs Insights line (queries have no CloudFormation resource).</summary>
    public const string LogsInsightsType = "CloudWatch Logs Insights (queries)";

    /// <summary>
    /// X-Ray traces recorded for <paramref name="requests"/> a month under the usage profile's sampling rule (X-Ray's
    /// default: the first request each second, then a fixed share of the rest), with requests spread evenly over the month.
    /// </summary>
    public double Traces(double requests)
    {
        var reservoir = Math.Min(requests, usage.XRay.ReservoirPerSecond * SecondsPerMonth);
        return reservoir + usage.XRay.FixedRate * (requests - reservoir);
    }

    // SageMaker provisions no EBS (gp2) ML storage volume on instance types with local NVMe storage, naming ml.p4d,
    // ml.g4dn and ml.g5 (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html); g6, g6e,
    // p3dn and p5 carry NVMe instance storage too (https://aws.amazon.com/ec2/instance-types/).
    private static readonly string[] LocalNvmeFamilies = { "ml.g4dn.", "ml.g5.", "ml.g6.", "ml.g6e.", "ml.p3dn.", "ml.p4d.", "ml.p5." };

    /// <summary>Whether SageMaker gives <paramref name="instanceType"/> local NVMe storage instead of an ML storage (EBS) volume.</summary>
    public static bool HasLocalNvme(string instanceType) => LocalNvmeFamilies.Any(f => instanceType.StartsWith(f, StringComparison.Ordinal));

    private static bool IsToCloudWatchLogs(JsonObject props) =>
        (props["LogDestinationType"]?.GetValue<string>() ?? "cloud-watch-logs") == "cloud-watch-logs";

    // Log groups that receive a trail's or a flow log's records, by logical id: their ingestion is priced on the source.
    private static Dictionary<string, string> VendedLogDestinations(List<(string LogicalId, JsonObject Resource)> resources)
    {
        var destinations = new Dictionary<string, string>(StringComparer.Ordinal);
        static string? Target(JsonNode? reference) =>
            reference?["Ref"]?.GetValue<string>() ?? (reference?["Fn::GetAtt"] as JsonArray)?[0]?.GetValue<string>();
        foreach (var (id, r) in resources)
        {
            var props = r["Properties"] as JsonObject;
            if (props is null) continue;
            var target = TypeOf(r) switch
            {
                "AWS::CloudTrail::Trail" => Target(props["CloudWatchLogsLogGroupArn"]),
                "AWS::EC2::FlowLog" when IsToCloudWatchLogs(props) => Target(props["LogGroupName"]) ?? Target(props["LogDestination"]),
                _ => null,
            };
            if (target is not null) destinations.TryAdd(target, TypeOf(r) == "AWS::CloudTrail::Trail" ? "the trail's line" : "the flow log's line");
        }
        return destinations;
    }

    // A handler's EMF metrics bill a metric-month each once they report, which they do as soon as the API has traffic;
    // the per-team ones once for each team that calls (one when the profile names no team).
    private ReportLine CustomMetrics(string stack, string path, JsonObject metadata, int teams)
    {
        var record = CustomMetricsRecord.From(metadata);
        var counted = Math.Max(1, teams);
        var quantity = record.Metrics + record.MetricsPerTeam * counted;
        var note = record.Basis + (record.MetricsPerTeam > 0
            ? $"; + {record.PerTeamBasis} × {counted} team(s){(teams == 0 ? " (the profile names none: one assumed)" : "")}"
            : "");
        var price = P(PriceTable.CloudWatch, "metric");
        return new ReportLine(stack, path, CostMetadata.CustomMetricsType, quantity, price.Unit, price.Usd, note, price)
        {
            Driver = record.MetricsPerTeam > 0 ? CostDriver.PerTeam : CostDriver.Fixed,
            PerTeamQuantity = record.MetricsPerTeam * counted,
        };
    }

    /// <summary>
    /// The teams the stack's per-team split is over: those of the stack's own entry (<c>apis["Inference/"]</c>: the teams over
    /// all of its APIs, each API's entry naming the teams that call it), else those of its first API whose entry names teams, or none.
    /// </summary>
    public IReadOnlyDictionary<string, TeamUsage> TeamsOf(StackTemplate stack) =>
        (usage.Apis.TryGetValue(stack.Name + "/", out var own) && own.Teams.Count > 0 ? own.Teams : null)
        ?? stack.Resources.Where(r => TypeOf(r.Resource) == "AWS::ApiGateway::RestApi")
            .Select(r => UsageProfile.Match(usage.Apis, stack.Name + "/" + stack.PathOf(r.LogicalId, r.Resource))?.Teams)
            .FirstOrDefault(t => t is { Count: > 0 }) ?? new Dictionary<string, TeamUsage>();

    private static bool IsHmacKey(JsonObject props) => props["KeySpec"]?.GetValue<string>()?.StartsWith("HMAC_", StringComparison.Ordinal) == true;

    // On-demand: each request unit billed (https://aws.amazon.com/dynamodb/pricing/on-demand/); a strongly consistent read of
    // an item up to 4 KB is one read unit, a write of an item up to 1 KB one write unit.
    private void PriceDynamoDbTable(string id, JsonObject props, AccessTraffic access, LineSink add)
    {
        var a = usage.Access;
        if (props["BillingMode"]?.GetValue<string>() != "PAY_PER_REQUEST")
        {
            add(0, P(PriceTable.DynamoDb, "on-demand.write-request"),
                "provisioned capacity: not priced by the reports (the library's tables are on-demand)", CostDriver.Fixed);
            return;
        }
        if (access.IsAccessTable(id))
        {
            var requests = access.ModelRequests(id);
            var lookups = access.KeyLookupsOfTable(id);
            var writes = a.LimitWritesPerRequest + a.SettleWritesPerRequest;
            add(requests * writes, P(PriceTable.DynamoDb, "on-demand.write-request"),
                $"{F(requests)} model-route requests × ({F(a.LimitWritesPerRequest)} conditional limit-window writes + "
                + $"{F(a.SettleWritesPerRequest)} settling writes)",
                CostDriver.Requests);
            add(requests * a.ReadUnitsPerRequest + lookups * a.ReadUnitsPerKeyLookup, P(PriceTable.DynamoDb, "on-demand.read-request"),
                $"{F(requests)} model-route requests × {F(a.ReadUnitsPerRequest)} (team limits) + "
                + $"{F(lookups)} key lookups × {F(a.ReadUnitsPerKeyLookup)}",
                CostDriver.Requests);
        }
        else
            add(0, P(PriceTable.DynamoDb, "on-demand.write-request"), "no access function of this stack uses the table: no requests priced",
                CostDriver.Fixed);
        add(a.TableGb, P(PriceTable.DynamoDb, "storage.gb-month"), $"{F(a.TableGb)} GB stored (usage profile access.tableGb; the free 25 GB ignored)",
            CostDriver.Fixed);
        if (props["PointInTimeRecoverySpecification"]?["PointInTimeRecoveryEnabled"]?.GetValue<bool>() == true)
            add(a.TableGb, P(PriceTable.DynamoDb, "pitr.gb-month"), $"point-in-time recovery on: {F(a.TableGb)} GB of table size", CostDriver.Fixed);
    }

    private void PriceEndpoint(StackTemplate stack, string path, JsonObject resource, LineSink add)
    {
        if (EndpointCostRecord.From(resource["Metadata"]?[CostMetadata.ResourceKey]) is not { } cost) return;
        var traffic = UsageProfile.Match(usage.Endpoints, stack.Name + "/" + path) ?? new EndpointUsage();
        var requests = traffic.RequestsPerMonth;
        var dataIn = requests * traffic.RequestKb / (1024.0 * 1024);
        var dataOut = requests * traffic.ResponseKb / (1024.0 * 1024);
        add(dataIn, P(PriceTable.SageMakerEndpoint, "data-in.gb"), $"data processed in: {F(requests)} requests × {F(traffic.RequestKb)} KB",
            CostDriver.Requests);
        add(dataOut, P(PriceTable.SageMakerEndpoint, "data-out.gb"), $"data processed out: {F(requests)} responses × {F(traffic.ResponseKb)} KB",
            CostDriver.Requests);
        if (cost.Hosting == EndpointCostRecord.Serverless)
        {
            var memory = cost.ServerlessMemoryMb;
            add(EndpointModel.ServerlessGbSeconds(requests, traffic.ModelLatencyMs, memory), P(PriceTable.SageMakerServerless, "inference.gb-second"),
                $"{F(requests)} requests × {F(traffic.ModelLatencyMs)} ms × {memory} MB", CostDriver.GpuTime);
            var provisioned = cost.ServerlessProvisionedConcurrency;
            if (provisioned > 0)
                add(provisioned * memory / 1024.0 * 3600 * EndpointModel.HoursPerMonth, P(PriceTable.SageMakerServerless, "provisioned-concurrency.gb-second"),
                    $"{provisioned} provisioned × {memory} MB, all month", CostDriver.GpuTime);
            return;
        }
        var (instanceType, min, max, isAsync) = (cost.InstanceType, cost.MinInstances, cost.MaxInstances, cost.Async);
        var busy = EndpointModel.BusyInstanceHours(requests, traffic.ModelLatencyMs, traffic.ConcurrencyPerInstance);
        var (hours, how) = min >= 1
            ? (EndpointModel.AlwaysOnHours(min, max, busy, traffic.TargetUtilization), $"always on: max({min} × 730 h, {F(busy)} busy h / {F(traffic.TargetUtilization)}), at most {max} × 730 h")
            : isAsync
                ? (EndpointModel.ScaleToZeroHours(max, busy, 1, traffic.ScaleToZeroIdleHoursPerMonth, requests), $"async, scales to zero: {F(busy)} busy h (queue keeps instances full) + {F(traffic.ScaleToZeroIdleHoursPerMonth)} idle h, at most {max} × 730 h")
                : (EndpointModel.ScaleToZeroHours(max, busy, traffic.TargetUtilization, traffic.ScaleToZeroIdleHoursPerMonth, requests), $"scales to zero: {F(busy)} busy h / {F(traffic.TargetUtilization)} + {F(traffic.ScaleToZeroIdleHoursPerMonth)} idle h, at most {max} × 730 h");
        add(hours, P(PriceTable.SageMakerHosting, instanceType),
            $"{instanceType}, {F(requests)} requests × {F(traffic.ModelLatencyMs)} ms / {F(traffic.ConcurrencyPerInstance)} concurrent; {how}",
            CostDriver.GpuTime);
        if (HasLocalNvme(instanceType))
            add(0, P(PriceTable.SageMakerEndpoint, "storage.gb-month"),
                $"{instanceType} has local NVMe storage: SageMaker attaches no ML storage volume", CostDriver.GpuTime);
        else
            add(hours / EndpointModel.HoursPerMonth * traffic.StorageGbPerInstance, P(PriceTable.SageMakerEndpoint, "storage.gb-month"),
                $"{F(traffic.StorageGbPerInstance)} GB ML storage volume per instance (usage profile), while instances run", CostDriver.GpuTime);
        // A warm window keeps instances above the floor on schedule, called or not. Counted on top of the traffic's
        // hours: an upper bound, since work done inside the window runs on instances it already pays for.
        var (warmInstances, warmHours) = (cost.WarmInstances, cost.WarmHoursPerMonth);
        var extra = Math.Max(0, warmInstances - min);
        if (extra > 0 && warmHours > 0)
            add(extra * warmHours, P(PriceTable.SageMakerHosting, instanceType),
                $"{instanceType}, warm window: {extra} instance(s) above MinInstances = {min} × {F(warmHours)} h a month the schedule keeps them",
                CostDriver.GpuTime);
    }

    private void PriceComputeEnvironment(StackTemplate stack, List<(string LogicalId, JsonObject Resource)> resources, JsonObject props, LineSink add)
    {
        var compute = props["ComputeResources"] as JsonObject ?? new JsonObject();
        var spot = compute["Type"]?.GetValue<string>() == "SPOT";
        var types = (compute["InstanceTypes"] as JsonArray)?.Select(t => t!.GetValue<string>()).ToList() ?? new List<string>();
        var type = usage.Training.InstanceType is { } wanted && types.Contains(wanted) ? wanted : types.FirstOrDefault();
        if (type is null) return;
        var gpus = GpusOf(type);
        // The environments of one stack share the GPU-hours: Spot takes SpotShare when a Spot environment exists.
        var environments = resources.Where(r => TypeOf(r.Resource) == "AWS::Batch::ComputeEnvironment")
            .Select(r => r.Resource["Properties"]?["ComputeResources"]?["Type"]?.GetValue<string>()).ToList();
        var hasSpot = environments.Contains("SPOT");
        var hasOnDemand = environments.Any(t => t != "SPOT");
        var share = spot
            ? (hasOnDemand ? usage.Training.SpotShare : 1)
            : (hasSpot ? 1 - usage.Training.SpotShare : 1);
        var instanceHours = usage.Training.GpuHoursPerMonth * share / gpus;
        var onDemand = P(PriceTable.Ec2OnDemand, type);
        var price = spot ? onDemand with { Usd = onDemand.Usd * (1 - table.SpotDiscount) } : onDemand;
        add(instanceHours, price, $"{type} ({gpus} GPU): {F(usage.Training.GpuHoursPerMonth)} GPU-h × {F(share)} share / {gpus}"
            + (spot ? $", Spot at on-demand × (1 − {F(table.SpotDiscount)})" : ", on-demand"), CostDriver.Fixed);
        var rootGiB = RootVolumeGiB(resources, compute);
        if (rootGiB > 0)
            add(instanceHours / EndpointModel.HoursPerMonth * rootGiB, P(PriceTable.Ebs, "gp3.storage"),
                $"{F(rootGiB)} GiB root volume per instance, while it runs", CostDriver.Fixed);
    }

    private static double RootVolumeGiB(List<(string LogicalId, JsonObject Resource)> resources, JsonObject compute)
    {
        var launchTemplateRef = compute["LaunchTemplate"]?["LaunchTemplateId"]?["Ref"]?.GetValue<string>();
        var template = resources.FirstOrDefault(r => r.LogicalId == launchTemplateRef).Resource;
        var mappings = template?["Properties"]?["LaunchTemplateData"]?["BlockDeviceMappings"] as JsonArray;
        return mappings?.Sum(m => m?["Ebs"]?["VolumeSize"]?.GetValue<double>() ?? 0) ?? 0;
    }

    private static int GpusOf(string instanceType) =>
        GpuInstanceTypes.Find(instanceType)?.Gpus
        ?? throw new CliException($"instance type '{instanceType}' of a compute environment is not one of the library's GPU types.");

    internal static string TypeOf(JsonObject resource) => resource["Type"]?.GetValue<string>() ?? "";

    private static bool IsInterfaceEndpoint(JsonObject resource) =>
        TypeOf(resource) == "AWS::EC2::VPCEndpoint" && resource["Properties"]?["VpcEndpointType"]?.GetValue<string>() == "Interface";

    // As the library's CostEstimator: an alarm is billed per metric it reads; under 60 s at the high-resolution rate.
    internal static (string Sku, int Metrics) AlarmBilling(JsonObject props)
    {
        if (props["ThresholdMetricId"] is not null) return ("alarm.anomaly-detection", 1);
        var queries = props["Metrics"] as JsonArray;
        var metrics = queries is null ? 1 : Math.Max(1, queries.Count(q => q?["MetricStat"] is not null));
        var period = props["Period"]?.GetValue<double>()
            ?? queries?.Select(q => q?["MetricStat"]?["Period"]?.GetValue<double>() ?? q?["Period"]?.GetValue<double>() ?? 60).DefaultIfEmpty(60).Min()
            ?? 60;
        return (period < 60 ? "alarm.high-resolution" : "alarm.standard", metrics);
    }
}
