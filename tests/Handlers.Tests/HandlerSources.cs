using System.Reflection;
using System.Text.RegularExpressions;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>The handler's source files and documentation, for the tests that check how the code is built.</summary>
internal static partial class HandlerSources
{
    public static string RepositoryRoot { get; } =
        typeof(HandlerSources).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static string Directory { get; } = Path.Combine(RepositoryRoot, "src", "Handlers");

    /// <summary>Every C# file of the handler (build output excluded), by its path relative to src/Handlers, '/'-separated.</summary>
    public static IReadOnlyList<(string Path, string Text)> Files { get; } =
        System.IO.Directory.EnumerateFiles(Directory, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(Path.Combine(Directory, f))))
            .ToList();

    /// <summary>The code of <paramref name="text"/> without its comment lines (line comments and XML docs; a URI's <c>//</c> stays).</summary>
    public static string Code(string text) => LineComment().Replace(text, "");

    [GeneratedRegex(@"^\s*//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();
}
