using System.Text.Json.Nodes;

namespace AwsModelPlatform.CostReports;

/// <summary>
/// What governed access costs per month in one stack, read from its template: the handler functions' environment says
/// which function is an authorizer (<c>Api__RouteGroups=authorizer</c>), which serve the model routes, and which access
/// table (<c>Access__TableName</c>) and HMAC key (<c>Access__HmacKeyId</c>) each uses; the API's
/// <c>AWS::ApiGateway::Authorizer</c> says whether API Gateway caches the authorizer's answers. Requests come from the
/// usage profile: the API's requests, and the model-route functions' invocations.
/// </summary>
internal sealed class AccessTraffic
{
    /// <summary>A function's part in governed access.</summary>
    private sealed record AccessFunction(string LogicalId, IReadOnlyList<string> Groups, string? Table, string? HmacKey, int KeyCacheSeconds);

    private readonly Dictionary<string, (double Invocations, double KeyLookups, string How)> _authorizers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _modelRequestsByTable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _keyLookupsByTable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _keyLookupsByHmacKey = new(StringComparer.Ordinal);

    private static readonly string RouteGroupsVariable = SettingsEnvironment.Key(ApiSettings.Section, nameof(ApiSettings.RouteGroups));
    private static readonly string TableVariable = SettingsEnvironment.Key(AccessSettings.Section, nameof(AccessSettings.TableName));
    private static readonly string HmacKeyVariable = SettingsEnvironment.Key(AccessSettings.Section, nameof(AccessSettings.HmacKeyId));
    private static readonly string KeyCacheVariable = SettingsEnvironment.Key(AccessSettings.Section, nameof(AccessSettings.KeyCacheSeconds));

    /// <summary>
    /// API Gateway's authorizer cache TTL when the template does not set one, in seconds: "If it equals 0, authorization
    /// caching is disabled. [...] If this field is not set, the default value is 300"
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-authorizer.html).
    /// </summary>
    private const int DefaultAuthorizerTtlSeconds = 300;

    public AccessTraffic(StackTemplate stack, UsageProfile usage)
    {
        var resources = stack.Resources.ToList();
        var functions = resources.Where(r => Pricers.TypeOf(r.Resource) == "AWS::Lambda::Function")
            .Select(r => Describe(r.LogicalId, r.Resource)).OfType<AccessFunction>().ToList();
        var hitRate = usage.Access.KeyCacheHitRate;
        foreach (var fn in functions)
        {
            var path = stack.Name + "/" + stack.PathOf(fn.LogicalId, resources.First(r => r.LogicalId == fn.LogicalId).Resource);
            if (fn.Groups.Contains(RouteGroup.Authorizer))
            {
                var (invocations, lookups, how) = AuthorizerTraffic(stack, resources, fn, path, usage, hitRate);
                _authorizers[fn.LogicalId] = (invocations, lookups, how);
                if (fn.Table is { } table) Add(_keyLookupsByTable, table, lookups);
                if (fn.HmacKey is { } key) Add(_keyLookupsByHmacKey, key, lookups);
            }
            else if (fn.Groups.Contains(RouteGroup.Inference) && fn.Table is { } table)
                Add(_modelRequestsByTable, table, UsageProfile.Match(usage.Functions, path)?.InvocationsPerMonth ?? 0);
        }
    }

    /// <summary>Whether <paramref name="logicalId"/> is an authorizer function; if so its invocations a month and how they were reached.</summary>
    public bool IsAuthorizer(string logicalId, out double invocations, out string how)
    {
        var found = _authorizers.TryGetValue(logicalId, out var traffic);
        (invocations, how) = (traffic.Invocations, traffic.How ?? "");
        return found;
    }

    /// <summary>Requests a month of the model routes whose functions use the table <paramref name="logicalId"/>.</summary>
    public double ModelRequests(string logicalId) => _modelRequestsByTable.GetValueOrDefault(logicalId);

    /// <summary>Key lookups a month (cache misses) of the authorizers that read the table <paramref name="logicalId"/>.</summary>
    public double KeyLookupsOfTable(string logicalId) => _keyLookupsByTable.GetValueOrDefault(logicalId);

    /// <summary>Whether an authorizer hashes keys with the KMS key <paramref name="logicalId"/>; if so its key lookups a month.</summary>
    public bool IsHmacKeyOfAuthorizer(string logicalId, out double keyLookups) => _keyLookupsByHmacKey.TryGetValue(logicalId, out keyLookups);

    /// <summary>Whether any function of the stack uses the table <paramref name="logicalId"/> as its access table.</summary>
    public bool IsAccessTable(string logicalId) => _modelRequestsByTable.ContainsKey(logicalId) || _keyLookupsByTable.ContainsKey(logicalId);

    private static void Add(Dictionary<string, double> map, string key, double value) => map[key] = map.GetValueOrDefault(key) + value;

    // API Gateway invokes a REQUEST authorizer on each request its cache does not answer, and on every request when the
    // TTL is 0 (caching disabled).
    private static (double Invocations, double KeyLookups, string How) AuthorizerTraffic(StackTemplate stack,
        List<(string LogicalId, JsonObject Resource)> resources, AccessFunction fn, string path, UsageProfile usage, double hitRate)
    {
        var authorizers = resources.Where(r => Pricers.TypeOf(r.Resource) == "AWS::ApiGateway::Authorizer"
            && References(r.Resource["Properties"]?["AuthorizerUri"]).Contains(fn.LogicalId)).ToList();
        var inMemory = fn.KeyCacheSeconds > 0;
        if (authorizers.Count == 0)
        {
            // No authorizer of this stack calls it: its invocations are the profile's.
            var invocations = UsageProfile.Match(usage.Functions, path)?.InvocationsPerMonth ?? 0;
            var lookups = inMemory ? invocations * (1 - hitRate) : invocations;
            return (invocations, lookups, $"{F(invocations)} invocations (usage profile)");
        }
        double total = 0, totalLookups = 0;
        var parts = new List<string>();
        foreach (var (_, authorizer) in authorizers)
        {
            var props = authorizer["Properties"] as JsonObject ?? new JsonObject();
            var apiId = References(props["RestApiId"]).FirstOrDefault();
            var api = resources.FirstOrDefault(r => r.LogicalId == apiId).Resource;
            var requests = api is null ? 0
                : (UsageProfile.Match(usage.Apis, stack.Name + "/" + stack.PathOf(apiId!, api)) ?? new ApiUsage()).RequestsPerMonth;
            var ttl = props["AuthorizerResultTtlInSeconds"]?.GetValue<double>() ?? DefaultAuthorizerTtlSeconds;
            var invocations = ttl > 0 ? requests * (1 - hitRate) : requests;
            var lookups = ttl <= 0 && inMemory ? invocations * (1 - hitRate) : invocations;
            total += invocations;
            totalLookups += lookups;
            parts.Add(ttl > 0
                ? $"{F(requests)} API requests × (1 − {F(hitRate)} answered by API Gateway's authorizer cache, TTL {F(ttl)} s)"
                : inMemory
                    ? $"{F(requests)} API requests (gateway cache off: every request), {F(1 - hitRate)} of them looked up past "
                      + "the function's key cache"
                    : $"{F(requests)} API requests (no cache: every request)");
        }
        return (total, totalLookups, string.Join("; ", parts));
    }

    private static AccessFunction? Describe(string logicalId, JsonObject function)
    {
        if (function["Properties"]?["Environment"]?["Variables"] is not JsonObject variables) return null;
        var groupsText = variables[RouteGroupsVariable] is JsonValue g && g.TryGetValue<string>(out var text) ? text : null;
        var groups = new ApiSettings { RouteGroups = groupsText }.Groups ?? RouteGroup.Default;
        var table = References(variables[TableVariable]).FirstOrDefault();
        var hmacKey = References(variables[HmacKeyVariable]).FirstOrDefault();
        var keyCache = variables[KeyCacheVariable] is JsonValue c && c.TryGetValue<string>(out var seconds)
            && int.TryParse(seconds, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0;
        if (table is null && hmacKey is null && !groups.Contains(RouteGroup.Authorizer)) return null;
        return new AccessFunction(logicalId, groups, table, hmacKey, keyCache);
    }

    /// <summary>The logical ids a template value refers to (<c>Ref</c>, <c>Fn::GetAtt</c>), anywhere inside it.</summary>
    internal static List<string> References(JsonNode? node)
    {
        var ids = new List<string>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    if (o["Ref"] is JsonValue r && r.TryGetValue<string>(out var id) && !id.StartsWith("AWS::", StringComparison.Ordinal))
                        ids.Add(id);
                    if (o["Fn::GetAtt"] is JsonArray { Count: > 0 } a && a[0] is JsonValue v && v.TryGetValue<string>(out var target))
                        ids.Add(target);
                    foreach (var (_, child) in o) Walk(child);
                    break;
                case JsonArray array:
                    foreach (var child in array) Walk(child);
                    break;
            }
        }
        Walk(node);
        return ids;
    }

    private static string F(double v) => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
