namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>
/// cdk-nag suppressions, written into the resource's <c>cdk_nag</c> metadata (the format cdk-nag reads), so each
/// exemption sits on the resource it concerns with the reason a reviewer needs. An <c>appliesTo</c> entry written as
/// <c>/pattern/flags</c> is a cdk-nag regex (for findings whose text holds tokens, such as account or bucket names).
/// </summary>
internal static class Suppressions
{
    public static void Add(IConstruct construct, string ruleId, string reason, params object[] appliesTo)
    {
        var resource = construct as CfnResource ?? (CfnResource)construct.Node.DefaultChild!;
        var existing = resource.GetMetadata("cdk_nag") as IDictionary<string, object>;
        var rules = new List<object>();
        if (existing?["rules_to_suppress"] is IEnumerable<object> previous) rules.AddRange(previous);
        var rule = new Dictionary<string, object> { ["id"] = ruleId, ["reason"] = reason };
        if (appliesTo.Length > 0)
            rule["applies_to"] = appliesTo.Select(a => a is string text && text.StartsWith('/') ? new Dictionary<string, object> { ["regex"] = text } : a).ToArray();
        rules.Add(rule);
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules.ToArray() });
    }

    /// <summary>A finding pattern for <c>applies_to</c>, for findings that name a generated logical id.</summary>
    public static string Matching(string regex) => $"/{regex}/g";
}
