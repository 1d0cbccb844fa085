extern alias handler;
using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using ApiSettings = handler::AwsModelPlatform.Contracts.ApiSettings;
using InferenceSettings = handler::AwsModelPlatform.Contracts.InferenceSettings;
using TrainingSettings = handler::AwsModelPlatform.Contracts.TrainingSettings;
using AccessSettings = handler::AwsModelPlatform.Contracts.AccessSettings;

namespace AwsModelPlatform.Contract.Tests;

/// <summary>
/// docs/handlers.md's configuration table against the settings records the handler binds (and the constructs flatten):
/// every key of the records is documented, nothing else under their sections is, and each documented default is the
/// record's.
/// </summary>
public partial class ConfigurationReferenceTests
{
    [Fact]
    public void The_configuration_reference_documents_exactly_the_settings_records_keys_with_their_defaults()
    {
        var settings = new Dictionary<string, object?>(StringComparer.Ordinal);
        Keys(ApiSettings.Section, new ApiSettings(), settings);
        Keys(InferenceSettings.Section, new InferenceSettings(), settings);
        Keys(TrainingSettings.Section, new TrainingSettings(), settings);
        Keys(AccessSettings.Section, new AccessSettings(), settings);

        var sections = new[] { ApiSettings.Section, InferenceSettings.Section, TrainingSettings.Section, AccessSettings.Section }.Select(s => s + "__").ToArray();
        var documented = Documented(sections);
        Assert.Equal(settings.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in settings)
            if (value is not null)
                Assert.True(documented[key].StartsWith(Text(value), StringComparison.Ordinal), $"docs/handlers.md gives {key} the default '{documented[key]}'; the handler's is '{Text(value)}'.");
    }

    // Every bound property (public getter and setter) of a record: values with their defaults, nested records by
    // name, list items by index ({i}).
    private static void Keys(string prefix, object record, Dictionary<string, object?> keys)
    {
        foreach (var property in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true }) continue;
            var key = prefix + "__" + property.Name;
            var type = property.PropertyType;
            if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
                Keys(key + "__{i}", Activator.CreateInstance(type.GetGenericArguments()[0])!, keys);
            else if (type == typeof(string) || Nullable.GetUnderlyingType(type) is not null || type.IsPrimitive || type.IsEnum)
                keys[key] = property.GetValue(record);
            else
                Keys(key, property.GetValue(record)!, keys);
        }
    }

    // The rows of the "Configuration" table under the sections: the first column names one key or several (`A__B`,
    // `__C`: C next to B), the second gives each one's default (separated by " / " or ", " when there are several).
    private static Dictionary<string, string> Documented(string[] sections)
    {
        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "handlers.md"));
        var table = doc[doc.IndexOf("## Configuration", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var documented = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = row.Split(" | ");
            var names = Code().Matches(cells[0]).Select(m => m.Groups[1].Value).ToList();
            var first = names[0];
            if (!sections.Any(s => first.StartsWith(s, StringComparison.Ordinal))) continue;
            var keys = names.Select(n => n.StartsWith("__", StringComparison.Ordinal) ? first[..first.LastIndexOf("__", StringComparison.Ordinal)] + n : n).ToList();
            var defaults = keys.Count == 1 ? [cells[1]] : cells[1].Split(cells[1].Contains(" / ", StringComparison.Ordinal) ? " / " : ", ");
            Assert.True(defaults.Length == keys.Count, $"docs/handlers.md: the row of {string.Join(", ", keys)} gives {defaults.Length} defaults.");
            for (var i = 0; i < keys.Count; i++)
                Assert.True(documented.TryAdd(keys[i], defaults[i].Replace("`", "", StringComparison.Ordinal).Trim()), $"docs/handlers.md documents {keys[i]} twice.");
        }
        return documented;
    }

    private static string Text(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    [GeneratedRegex("`([A-Za-z_{}]+)`")]
    private static partial Regex Code();
}

/// <summary>The repository this test was built from.</summary>
internal static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
}
