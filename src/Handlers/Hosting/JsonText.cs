using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// Reads strings out of a parsed request body. A lone surrogate escape (<c>"\ud800"</c>) is valid JSON syntax but no
/// text: <see cref="JsonElement.GetString"/> and <see cref="JsonProperty.Name"/> throw InvalidOperationException on it,
/// which would surface as a 500. Here it is the client's 400 <c>malformed-json</c>.
/// </summary>
public static class JsonText
{
    /// <summary>The string value of <paramref name="e"/> (a JSON string).</summary>
    public static string Of(JsonElement e) => Decoded(e, static e => e.GetString()!);

    /// <summary>The name of <paramref name="p"/>.</summary>
    public static string NameOf(JsonProperty p) => Decoded(p, static p => p.Name);

    private static string Decoded<T>(T json, Func<T, string> read)
    {
        try
        {
            return read(json);
        }
        catch (InvalidOperationException)
        {
            throw Problems.MalformedJson("The body holds a string that is not valid Unicode (a lone surrogate escape such as \\ud800).");
        }
    }
}
