using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;

namespace AwsModelPlatform.Contracts;

/// <summary>
/// Where every environment key of a handler function comes from: a settings record (<see cref="ApiSettings"/>,
/// <see cref="InferenceSettings"/>, <see cref="TrainingSettings"/>) flattened into the keys ASP.NET Core configuration
/// reads from environment variables (<c>Inference__TimeoutSeconds</c>, <c>Inference__Models__0__Name</c>), the very
/// keys the handler binds the same record from. Only what differs from the record's defaults is written: Lambda allows
/// 4 KB of environment variables per function in all
/// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html), and a default the handler already has
/// needs no variable.
/// </summary>
internal static class SettingsEnvironment
{
    /// <summary>What separates the parts of a key in an environment variable (ASP.NET Core reads it as <c>:</c>).</summary>
    public const string Separator = "__";

    /// <summary>
    /// The environment variables of <paramref name="settings"/> under <paramref name="section"/>: one per bound
    /// property (a public getter and setter) whose value differs from the one a new record has; nested records and
    /// lists flattened, list items by index. Values are invariant text.
    /// </summary>
    /// <exception cref="InvalidOperationException">when a value cannot be written: null where the default is not, or a list item with nothing but defaults.</exception>
    [RequiresUnreferencedCode("Reads the settings records' properties by reflection: the constructs' side, never the Native AOT handler.")]
    public static Dictionary<string, string> Of(string section, object settings)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        Flatten(section, settings, variables);
        return variables;
    }

    /// <summary>The environment variable of a setting: <c>Inference__Models__0__Name</c> for ("Inference", "Models", 0, "Name").</summary>
    public static string Key(params object[] path) => string.Join(Separator, path.Select(Text));

    /// <summary>The configuration path of a setting, as the handler's messages name it: <c>Inference:Models:0:Name</c>.</summary>
    public static string Path(params object[] path) => string.Join(":", path.Select(Text));

    [RequiresUnreferencedCode("Reads the settings records' properties by reflection.")]
    private static void Flatten(string prefix, object settings, Dictionary<string, string> variables)
    {
        var type = settings.GetType();
        var defaults = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type.Name} has no parameterless constructor, so its defaults are unknown.");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is not { IsPublic: true } || property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0) continue;
            var key = prefix + Separator + property.Name;
            var value = property.GetValue(settings);
            var byDefault = property.GetValue(defaults);
            if (value is null)
            {
                if (byDefault is not null)
                    throw new InvalidOperationException($"{key}: null cannot be written as an environment variable, and the handler's default is '{Text(byDefault)}'; leave the default.");
                continue;
            }
            if (value is IEnumerable items and not string)
            {
                var index = 0;
                foreach (var item in items)
                {
                    var itemKey = key + Separator + index.ToString(CultureInfo.InvariantCulture);
                    var before = variables.Count;
                    Flatten(itemKey, item, variables);
                    if (variables.Count == before)
                        throw new InvalidOperationException($"{itemKey}: an item with nothing but default values writes no variable, and would shift the items after it.");
                    index++;
                }
                continue;
            }
            if (IsValue(value))
            {
                if (!value.Equals(byDefault)) variables[key] = Text(value);
                continue;
            }
            Flatten(key, value, variables);
        }
    }

    private static bool IsValue(object value) => value is string or bool or Enum or IFormattable;

    private static string Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
