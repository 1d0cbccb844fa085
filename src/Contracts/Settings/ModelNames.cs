using System.Text.RegularExpressions;

namespace AwsModelPlatform.Contracts;

/// <summary>
/// The one rule for the name clients call a model by: the <c>{model}</c> path segment and the OpenAI <c>model</c>
/// field. Names are values (<c>Inference:Models:{i}:Name</c>), never parts of a configuration key, so a SageMaker
/// endpoint's own name (<c>llama-3-8b</c>) fits as it is.
/// </summary>
internal static class ModelNames
{
    /// <summary>What <see cref="IsValid"/> accepts, for messages.</summary>
    public const string Rule = "1-128 letters, digits, '.', '_', ':' or '-', not only dots";

    /// <summary>Names are compared as they are: <c>Llm</c> and <c>llm</c> are two models.</summary>
    public static StringComparer Comparer => StringComparer.Ordinal;

    /// <summary>Whether <paramref name="name"/> may name a model. Not only dots: <c>.</c> and <c>..</c> are path segments every client resolves away.</summary>
    public static bool IsValid(string? name) => name is not null && Pattern.IsMatch(name) && name.Trim('.').Length > 0;

    // \z, not $: $ also matches before a final "\n".
    // Built once, not generated: the regex generator documents its method without a summary, which the package's
    // XML documentation would then carry.
    private static readonly Regex Pattern = new("^[A-Za-z0-9._:-]{1,128}\\z", RegexOptions.CultureInvariant);
}
