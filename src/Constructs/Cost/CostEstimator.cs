using System.Globalization;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.WAFv2;

namespace AwsModelPlatform.Constructs.Cost;

/// <summary>
/// Prices, from <see cref="PriceTable"/>, the resources whose cost does not depend on use: what a construct pays
/// every month merely for existing. One place for every resource type, so each construct gets the same answer.
/// </summary>
internal static class CostEstimator
{
    /// <summary>The region whose prices apply to the stack of <paramref name="scope"/> (its own when priced and known, else the table's default).</summary>
    public static string PricedRegion(IConstruct scope)
    {
        var region = Stack.Of(scope).Region;
        return PriceTable.Default.PricedRegion(Token.IsUnresolved(region) ? null : region);
    }

    /// <summary>The region of the stack of <paramref name="scope"/>, or null when it is not known at synth time (an environment-agnostic stack).</summary>
    public static string? StackRegion(IConstruct scope)
    {
        var region = Stack.Of(scope).Region;
        return Token.IsUnresolved(region) ? null : region;
    }

    /// <summary>
    /// The CloudFormation resources that belong to <paramref name="owner"/>: its subtree, without the subtrees of
    /// other <see cref="ICostedConstruct"/>s nested in it (they report their own cost).
    /// </summary>
    public static IEnumerable<CfnResource> OwnResources(IConstruct owner)
    {
        var pending = new Stack<IConstruct>(owner.Node.Children.Reverse());
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node is ICostedConstruct) continue;
            if (node is CfnResource resource) yield return resource;
            foreach (var child in node.Node.Children.Reverse()) pending.Push(child);
        }
    }

    /// <summary>Every <see cref="ICostedConstruct"/> in <paramref name="scope"/>'s subtree, <paramref name="scope"/> included.</summary>
    public static IEnumerable<ICostedConstruct> CostedConstructs(IConstruct scope) =>
        scope.Node.FindAll(ConstructOrder.PREORDER).OfType<ICostedConstruct>();

    /// <summary>The worst-case monthly lines of resources priced by existence: alarms, dashboards, keys (and their rotations), NAT gateways, public IPv4 addresses, interface endpoints, WAF web ACLs.</summary>
    public static List<CostLine> FixedLines(IEnumerable<CfnResource> resources, string region)
    {
        var table = PriceTable.Default;
        var lines = new List<CostLine>();
        foreach (var r in resources)
        {
            var path = PathInStack(r);
            Price P(string service, string sku) => table.Get(region, service, sku);
            switch (r)
            {
                case CfnAlarm alarm:
                {
                    var (sku, quantity, basis) = AlarmBilling(alarm);
                    lines.Add(CostLine.Of(path, r.CfnResourceType, quantity, P(PriceTable.CloudWatch, sku), basis));
                    break;
                }
                case CfnCompositeAlarm:
                    lines.Add(CostLine.Of(path, r.CfnResourceType, 1, P(PriceTable.CloudWatch, "alarm.composite"), "one composite alarm"));
                    break;
                case CfnDashboard:
                    lines.Add(CostLine.Of(path, r.CfnResourceType, 1, P(PriceTable.CloudWatch, "dashboard"), "one dashboard (the 3 free ones ignored)"));
                    break;
                case Amazon.CDK.AWS.KMS.CfnKey key:
                    lines.Add(CostLine.Of(path, r.CfnResourceType, 1, P(PriceTable.Kms, "key-month"), "one customer managed key"));
                    // Each of the first two rotations keeps a backing key billed $1/month; later rotations are free.
                    if (key.EnableKeyRotation is true)
                        lines.Add(CostLine.Of(path, r.CfnResourceType, 2, P(PriceTable.Kms, "rotation-month"), "rotation on: the first two rotations add $1/month each (from the second year)"));
                    break;
                case CfnEIP:
                    lines.Add(CostLine.Of(path, r.CfnResourceType, PriceTable.HoursPerMonth, P(PriceTable.PublicIpv4, "address-hour"), "one public IPv4 address, every hour of the month"));
                    break;
                case CfnNatGateway:
                    lines.Add(CostLine.Of(path, r.CfnResourceType, PriceTable.HoursPerMonth, P(PriceTable.NatGateway, "hour"), "one NAT gateway, every hour of the month"));
                    break;
                case CfnVPCEndpoint endpoint when string.Equals(endpoint.VpcEndpointType, "Interface", StringComparison.OrdinalIgnoreCase):
                {
                    var azs = endpoint.SubnetIds?.Length ?? 1;
                    lines.Add(CostLine.Of(path, r.CfnResourceType, azs * PriceTable.HoursPerMonth, P(PriceTable.InterfaceEndpoint, "az-hour"),
                        string.Create(CultureInfo.InvariantCulture, $"{azs} AZ(s) × {PriceTable.HoursPerMonth} h")));
                    break;
                }
                case CfnWebACL acl:
                {
                    var rules = acl.Rules is object[] array ? array.Length : 0;
                    lines.Add(CostLine.Of(path, r.CfnResourceType, 1, P(PriceTable.Waf, "web-acl"), "one web ACL"));
                    if (rules > 0)
                        lines.Add(CostLine.Of(path, r.CfnResourceType, rules, P(PriceTable.Waf, "rule"), $"{rules} rule(s) or rule groups"));
                    break;
                }
            }
        }
        return lines;
    }

    /// <summary>
    /// The custom metrics a handler writes as Embedded Metric Format log lines: no CloudFormation resource, yet each
    /// metric (name and dimension values) that receives data bills a metric-month.
    /// </summary>
    public static CostLine CustomMetrics(IConstruct owner, string region, int metrics, string basis) =>
        CostLine.Of(PathInStack(owner), CostMetadata.CustomMetricsType, metrics, PriceTable.Default.Get(region, PriceTable.CloudWatch, "metric"), basis);

    /// <summary>What the resources bill by use, one sentence per kind of resource, with the unit prices.</summary>
    public static List<string> UsageNotes(IEnumerable<CfnResource> resources, string region)
    {
        var table = PriceTable.Default;
        string Usd(string service, string sku)
        {
            var p = table.Get(region, service, sku);
            return string.Create(CultureInfo.InvariantCulture, $"${p.Usd:0.#########}/{p.Unit}");
        }
        var counts = resources.GroupBy(r => r.CfnResourceType).ToDictionary(g => g.Key, g => g.Count());
        int N(string type) => counts.GetValueOrDefault(type);
        var notes = new List<string>();
        void Note(string type, string text) { if (N(type) > 0) notes.Add($"{N(type)} × {type}: {text}"); }
        Note("AWS::Logs::LogGroup", $"ingestion {Usd(PriceTable.CloudWatch, "logs.ingestion")}, storage {Usd(PriceTable.CloudWatch, "logs.storage")}, Logs Insights scans {Usd(PriceTable.CloudWatch, "logs.insights-scan")}");
        Note("AWS::EC2::FlowLog", $"flow log records delivered to CloudWatch Logs {Usd(PriceTable.CloudWatch, "logs.vended-ingestion")} (vended logs)");
        Note("AWS::SageMaker::Endpoint", $"data processed in {Usd(PriceTable.SageMakerEndpoint, "data-in.gb")} and out {Usd(PriceTable.SageMakerEndpoint, "data-out.gb")}, ML storage {Usd(PriceTable.SageMakerEndpoint, "storage.gb-month")} per instance volume");
        Note("AWS::EC2::VPC", $"traffic across Availability Zones {Usd(PriceTable.DataTransfer, "inter-az.gb")} in each direction");
        Note("AWS::S3::Bucket", $"storage {Usd(PriceTable.S3, "standard.storage")} (Glacier {Usd(PriceTable.S3, "glacier-flexible.storage")}), PUT {Usd(PriceTable.S3, "put-request")}, GET {Usd(PriceTable.S3, "get-request")}");
        Note("AWS::CloudTrail::Trail", $"data events {Usd(PriceTable.CloudTrail, "data-event")} (every logged S3 object and Lambda invocation call); first copy of management events free");
        Note("AWS::KMS::Key", $"requests {Usd(PriceTable.Kms, "request")}");
        Note("AWS::SNS::Topic", $"publishes {Usd(PriceTable.Sns, "request")}, email deliveries {Usd(PriceTable.Sns, "email-notification")}");
        Note("AWS::EC2::NatGateway", $"data processed {Usd(PriceTable.NatGateway, "gb-processed")}");
        if (resources.OfType<CfnVPCEndpoint>().Any(e => string.Equals(e.VpcEndpointType, "Interface", StringComparison.OrdinalIgnoreCase)))
            notes.Add($"interface endpoints: data processed {Usd(PriceTable.InterfaceEndpoint, "gb-processed")}");
        Note("AWS::Lambda::Function", $"requests {Usd(PriceTable.Lambda, "request")}, duration {Usd(PriceTable.Lambda, "x86.gb-second")} (x86) or {Usd(PriceTable.Lambda, "arm.gb-second")} (Arm)");
        Note("AWS::ApiGateway::RestApi", $"requests {Usd(PriceTable.ApiGatewayRest, "request")}; X-Ray traces recorded {Usd(PriceTable.XRay, "trace-recorded")} (tracing is on: sampled requests)");
        Note("AWS::WAFv2::WebACL", $"requests {Usd(PriceTable.Waf, "request")}");
        return notes;
    }

    /// <summary>The path of <paramref name="scope"/> below its stack, without the trailing <c>/Resource</c> of L2 constructs.</summary>
    public static string PathInStack(IConstruct scope)
    {
        var stackPath = Stack.Of(scope).Node.Path;
        var path = scope.Node.Path;
        if (stackPath.Length > 0 && path.StartsWith(stackPath + "/", StringComparison.Ordinal)) path = path[(stackPath.Length + 1)..];
        return path.EndsWith("/Resource", StringComparison.Ordinal) ? path[..^"/Resource".Length] : path;
    }

    // CloudWatch bills an alarm per metric it reads: a metric-math alarm pays for each metric of the expression (not
    // for the expressions), an anomaly-detection alarm for its 3 metrics (sku alarm.anomaly-detection), a period under
    // 60 s at the high-resolution rate. The metrics are read from the L2 alarm that made the resource: resolving the
    // L1 metric queries from inside synthesis crashes the jsii runtime.
    private static (string Sku, double Quantity, string Basis) AlarmBilling(CfnAlarm alarm)
    {
        if (alarm.ThresholdMetricId is not null) return ("alarm.anomaly-detection", 1, "one anomaly-detection alarm");
        var metric = (alarm.Node.Scope as Alarm)?.Metric;
        var leaves = metric is null ? new List<IMetric>() : Leaves(metric).ToList();
        var metrics = Math.Max(1, leaves.Count);
        var periods = leaves.Select(m => m is Metric plain ? plain.Period.ToSeconds() : 60).ToList();
        var period = alarm.Period is double p ? p : periods.DefaultIfEmpty(60).Min();
        var sku = period < 60 ? "alarm.high-resolution" : "alarm.standard";
        return (sku, metrics, metrics == 1 ? "one alarm on one metric" : $"one alarm on {metrics} metrics");
    }

    private static IEnumerable<IMetric> Leaves(IMetric metric) =>
        metric is MathExpression math ? math.UsingMetrics.Values.SelectMany(Leaves) : new[] { metric };
}
