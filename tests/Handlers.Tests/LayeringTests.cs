using System.Reflection;
using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// The handler's layers point inward: <c>Hosting</c> (the pipeline, problems, request context) depends on no route group,
/// and the route groups do not depend on each other, so a group can be added, changed or left out of a build alone, with
/// one exception: <c>Access</c> is also a service layer beneath <c>Inference</c> (team access on the model routes:
/// <c>ModelAccess</c>, the team store and limiter), so Inference may reach Access and Access never reaches Inference.
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>Each folder (and namespace) of src/Handlers and the folders it may not reach.</summary>
    public static TheoryData<string, string[]> Rules => new()
    {
        { "Hosting", ["Inference", "Training", "Access"] },
        { "Aws", ["Inference", "Training", "Access"] },
        { "Training", ["Inference", "Access"] },
        { "Inference", ["Training"] },
        { "Access", ["Inference", "Training"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_layer_imports_no_namespace_it_may_not_reach(string layer, string[] forbidden)
    {
        var files = HandlerSources.Files.Where(f => f.Path.StartsWith(layer + "/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        var offences = new List<string>();
        foreach (var (path, text) in files)
        {
            var code = HandlerSources.Code(text);
            foreach (var target in forbidden)
            {
                // `using X`, `using static X.Y`, `using A = X.Y`, and names qualified from the root or relative to Handlers.
                var reference = new Regex($@"(?<![\w.])(?:global::)?(?:AwsModelPlatform\.)?(?:Handlers\.)?{target}\.[A-Z]|AwsModelPlatform\.Handlers\.{target}\b");
                foreach (Match m in reference.Matches(code)) offences.Add($"{path}: {m.Value}");
            }
        }
        Assert.True(offences.Count == 0, $"{layer} reaches {string.Join(" or ", forbidden)}:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void No_hosting_type_has_a_route_group_type_in_its_signatures()
    {
        var assembly = typeof(Problems).Assembly;
        var hosting = assembly.GetTypes().Where(t => t.Namespace == typeof(Problems).Namespace).ToList();
        Assert.NotEmpty(hosting);
        var forbidden = new[] { "Inference", "Training", "Access" }.Select(g => $"AwsModelPlatform.Handlers.{g}").ToArray();
        var offences = hosting
            .SelectMany(t => SignatureTypes(t).Select(used => (t, used)))
            .Where(p => p.used.Namespace is { } ns && forbidden.Any(f => ns == f || ns.StartsWith(f + ".", StringComparison.Ordinal)))
            .Select(p => $"{p.t.FullName} uses {p.used.FullName}")
            .Distinct()
            .ToList();
        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }

    private const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> SignatureTypes(Type t)
    {
        var types = new List<Type>();
        if (t.BaseType is { } b) types.Add(b);
        types.AddRange(t.GetInterfaces());
        types.AddRange(t.GetFields(Members).Select(f => f.FieldType));
        types.AddRange(t.GetProperties(Members).Select(p => p.PropertyType));
        foreach (var m in t.GetMethods(Members))
        {
            types.Add(m.ReturnType);
            types.AddRange(m.GetParameters().Select(p => p.ParameterType));
        }
        foreach (var c in t.GetConstructors(Members)) types.AddRange(c.GetParameters().Select(p => p.ParameterType));
        return types.SelectMany(Expand);
    }

    private static IEnumerable<Type> Expand(Type t)
    {
        if (t.HasElementType) return Expand(t.GetElementType()!);
        if (!t.IsGenericType) return [t];
        return new[] { t }.Concat(t.GetGenericArguments().SelectMany(Expand));
    }
}
