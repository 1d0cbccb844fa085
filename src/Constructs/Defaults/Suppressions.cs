using System.Text.RegularExpressions;

namespace AwsModelPlatform.Constructs.Defaults;

/// <summary>
/// cdk-nag suppressions, written into the resource's <c>cdk_nag</c> metadata (the format cdk-nag reads), so each
/// exemption sits on the resource it concerns with the reason a reviewer needs. An <c>appliesTo</c> entry written as
/// <c>/pattern/flags</c> is a cdk-nag regex (for findings whose text holds tokens, such as account or bucket names).
/// A plain entry that names the partition, region or account as cdk-nag shows an unresolved one
/// (<c>&lt;AWS::Partition&gt;</c>, <c>&lt;AWS::Region&gt;</c>, <c>&lt;AWS::AccountId&gt;</c>) is written as a regex that
/// also matches the resolved value: in a stack with an explicit account and region the finding reads
/// <c>arn:aws:ecs:eu-west-1:111122223333:...</c>, and a literal entry would stop matching there (docs/security.md).
/// </summary>
internal static class Suppressions
{
    /// <summary>The rule-id prefixes of the compliance packs the library is checked against besides AwsSolutions (docs/security.md).</summary>
    private static readonly string[] CompliancePacks = { "NIST.800.53.R5", "HIPAA.Security" };

    // What cdk-nag writes for each pseudo parameter it cannot resolve, and what it may read once resolved.
    private static readonly (string Token, string Resolved)[] PseudoParameters =
    {
        ("<AWS::Partition>", "aws(-[a-z]+)*"),
        ("<AWS::Region>", "[a-z]{2}(-[a-z]+)+-\\d"),
        ("<AWS::AccountId>", "\\d{12}"),
        ("<AWS::URLSuffix>", "amazonaws\\.com(\\.cn)?"),
    };

    public static void Add(IConstruct construct, string ruleId, string reason, params object[] appliesTo)
    {
        var resource = construct as CfnResource ?? (CfnResource)construct.Node.DefaultChild!;
        var existing = resource.GetMetadata("cdk_nag") as IDictionary<string, object>;
        var rules = new List<object>();
        if (existing?["rules_to_suppress"] is IEnumerable<object> previous) rules.AddRange(previous);
        var rule = new Dictionary<string, object> { ["id"] = ruleId, ["reason"] = reason };
        if (appliesTo.Length > 0)
            rule["applies_to"] = appliesTo.Select(Entry).ToArray();
        rules.Add(rule);
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules.ToArray() });
    }

    /// <summary>
    /// Suppresses <paramref name="rule"/> (the rule's name without its pack, e.g. <c>LambdaDLQ</c>) in both NIST
    /// 800-53 R5 and HIPAA Security, which check the same AWS Config rules under their own prefixes.
    /// </summary>
    public static void AddCompliance(IConstruct construct, string rule, string reason, params object[] appliesTo)
    {
        foreach (var pack in CompliancePacks) Add(construct, $"{pack}-{rule}", reason, appliesTo);
    }

    /// <summary>A finding pattern for <c>applies_to</c>, for findings that name a generated logical id.</summary>
    public static string Matching(string regex) => $"/{regex}/g";

    private static object Entry(object appliesTo) => appliesTo switch
    {
        string text when text.StartsWith('/') => new Dictionary<string, object> { ["regex"] = text },
        string text when PseudoParameters.Any(p => text.Contains(p.Token, StringComparison.Ordinal)) =>
            new Dictionary<string, object> { ["regex"] = Matching(TokenOrResolved(text)) },
        _ => appliesTo,
    };

    /// <summary>An anchored regex for <paramref name="finding"/> in which each pseudo-parameter token matches itself or its resolved value.</summary>
    internal static string TokenOrResolved(string finding)
    {
        var pattern = Regex.Escape(finding).Replace("/", "\\/");
        foreach (var (token, resolved) in PseudoParameters)
            pattern = pattern.Replace(Regex.Escape(token), $"({Regex.Escape(token)}|{resolved})");
        return $"^{pattern}$";
    }
}
