using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;

namespace AwsModelPlatform.AccessCli;

/// <summary>
/// The admin CLI: <c>keys create|list|rotate|revoke</c>, <c>teams set|get</c>, <c>usage</c> against an API's admin routes
/// (the <c>access</c> route group, IAM-authorized), each request signed with SigV4 for <c>execute-api</c> with the default
/// AWS credentials. Prints the answer's JSON; exit codes: 0 done, 1 the API refused (its problem on stderr), 2 bad arguments.
/// </summary>
public static class AccessCommand
{
    /// <summary>Exit code of bad arguments.</summary>
    public const int Usage = 2;

    /// <summary>API Gateway's signing name (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html).</summary>
    public const string SigningName = "execute-api";

    public const string Help = """
        usage: amp-access <command> --api <url> [options]
          keys create --team <team> [--name <name>] [--expires-at <ISO 8601 time>]
          keys list [--team <team>]
          keys rotate --id <key id> [--overlap-seconds <n>]
          keys revoke --id <key id>
          teams set --team <team> [--requests-per-minute <n>] [--tokens-per-minute <n>] [--monthly-tokens <n>] [--monthly-usd <d>] [--models <a,b>]
          teams get --team <team>
          usage --team <team> [--month <yyyy-MM>]
        --api is the stage URL (https://{api}.execute-api.{region}.amazonaws.com/{stage}); --region defaults to the URL's,
        then AWS_REGION. Requests are signed with SigV4 (execute-api) with the default AWS credentials.
        """;

    /// <param name="credentials">The signing credentials; default: the SDK's default chain (environment, profile, role).</param>
    /// <param name="transport">The HTTP handler under the signer (tests); default: a new one.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, AWSCredentials? credentials = null,
        HttpMessageHandler? transport = null)
    {
        Invocation invocation;
        try
        {
            invocation = Invocation.Parse(args);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            await stderr.WriteLineAsync(Help);
            return Usage;
        }
        if (invocation.Help)
        {
            await stdout.WriteLineAsync(Help);
            return 0;
        }

        using var signer = new SigV4SigningHandler(credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(), RegionEndpoint.GetBySystemName(invocation.Region), SigningName,
            transport ?? new SocketsHttpHandler { AllowAutoRedirect = false });
        using var http = new HttpClient(signer, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(invocation.Method, invocation.Api + invocation.Path.TrimStart('/'));
        if (invocation.Body is { } body) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"error: {invocation.Api} could not be reached: {e.Message}");
            return 1;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                await stderr.WriteLineAsync($"error: {(int)response.StatusCode} {Describe(text, response.StatusCode)}");
                return 1;
            }
            await stdout.WriteLineAsync(Pretty(text));
            return 0;
        }
    }

    private static string Describe(string text, HttpStatusCode status)
    {
        try
        {
            var problem = JsonNode.Parse(text);
            // An RFC 9457 problem from the handler, or API Gateway's own {"message": ...} (a refused signature, a missing grant).
            return problem?["detail"]?.GetValue<string>() ?? problem?["message"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>() ?? status.ToString();
        }
        catch (JsonException)
        {
            return text.Length > 500 ? text[..500] : text;
        }
    }

    private static string Pretty(string text)
    {
        try
        {
            return JsonNode.Parse(text)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }
}

/// <summary>One parsed command line: the admin route it calls, its body, the API and the region.</summary>
internal sealed record Invocation(HttpMethod Method, string Path, JsonObject? Body, string Api, string Region, bool Help = false)
{
    private static readonly string[] Commands = ["keys create", "keys list", "keys rotate", "keys revoke", "teams set", "teams get", "usage"];

    /// <summary>Reads <paramref name="args"/>; an <see cref="ArgumentException"/> whose message says what is wrong and what is accepted.</summary>
    public static Invocation Parse(string[] args)
    {
        if (args is [] or ["help" or "--help" or "-h"]) return new Invocation(HttpMethod.Get, "", null, "", "", Help: true);
        var command = args[0] == "usage" ? "usage" : args.Length > 1 ? $"{args[0]} {args[1]}" : args[0];
        if (!Commands.Contains(command)) throw new ArgumentException($"'{string.Join(' ', args.Take(2))}' is not a command; commands: {string.Join(", ", Commands)}.");
        var options = Options(args[(command.Count(c => c == ' ') + 1)..]);
        string Take(string name, bool required = false)
        {
            if (options.Remove(name, out var value)) return value;
            return required ? throw new ArgumentException($"{command} needs --{name}.") : "";
        }

        var api = ApiUrl(Take("api", required: true));
        var region = Take("region") is { Length: > 0 } r ? r : RegionOf(api) ?? Environment.GetEnvironmentVariable("AWS_REGION")
            ?? throw new ArgumentException("--region is needed: the API URL names none and AWS_REGION is not set.");
        var invocation = command switch
        {
            "keys create" => new Invocation(HttpMethod.Post, Routes.CreateApiKey.Path, Object(("team", Team(Take("team", true))), ("name", Take("name")),
                ("expiresAt", Take("expires-at") is { Length: > 0 } at ? Time(at) : null)), api, region),
            "keys list" => new Invocation(HttpMethod.Get, Routes.ListApiKeys.Path + (Take("team") is { Length: > 0 } t ? "?team=" + Uri.EscapeDataString(Team(t)) : ""), null, api, region),
            "keys rotate" => new Invocation(HttpMethod.Post, Routes.RotateApiKey.PathWith((Routes.Id, KeyId(Take("id", true)))),
                Object(("overlapSeconds", Take("overlap-seconds") is { Length: > 0 } o ? Number(o, "overlap-seconds") : null)), api, region),
            "keys revoke" => new Invocation(HttpMethod.Delete, Routes.RevokeApiKey.PathWith((Routes.Id, KeyId(Take("id", true)))), null, api, region),
            "teams set" => TeamsSet(Team(Take("team", true)), Take, api, region),
            "teams get" => new Invocation(HttpMethod.Get, Routes.GetTeam.PathWith((Routes.Team, Team(Take("team", true)))), null, api, region),
            _ => new Invocation(HttpMethod.Get, Routes.GetTeamUsage.PathWith((Routes.Team, Team(Take("team", true))))
                + (Take("month") is { Length: > 0 } m ? "?month=" + Month(m) : ""), null, api, region),
        };
        if (options.Count > 0) throw new ArgumentException($"{command} takes no {string.Join(", ", options.Keys.Select(k => "--" + k))}.");
        return invocation;
    }

    private static Invocation TeamsSet(string team, Func<string, bool, string> take, string api, string region)
    {
        var body = Object(
            ("requestsPerMinute", take("requests-per-minute", false) is { Length: > 0 } rpm ? Number(rpm, "requests-per-minute") : null),
            ("tokensPerMinute", take("tokens-per-minute", false) is { Length: > 0 } tpm ? Number(tpm, "tokens-per-minute") : null),
            ("monthlyTokens", take("monthly-tokens", false) is { Length: > 0 } tokens ? Number(tokens, "monthly-tokens") : null),
            ("monthlyUsd", take("monthly-usd", false) is { Length: > 0 } usd ? Dollars(usd) : null));
        if (take("models", false) is { Length: > 0 } models)
            body["models"] = new JsonArray(models.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());
        return new Invocation(HttpMethod.Put, Routes.PutTeam.PathWith((Routes.Team, team)), body, api, region);
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length == 2) throw new ArgumentException($"'{args[i]}' is not an option (--name value).");
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"{args[i]} needs a value.");
            if (!options.TryAdd(args[i][2..], args[i + 1])) throw new ArgumentException($"{args[i]} is given twice.");
            i++;
        }
        return options;
    }

    private static string ApiUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Query.Length == 0
            ? uri.ToString().TrimEnd('/') + "/"
            : throw new ArgumentException($"--api '{url}' is not an http(s) URL of the API's stage (https://{{api}}.execute-api.{{region}}.amazonaws.com/{{stage}}).");

    /// <summary>The region of an <c>execute-api</c> host (<c>{api}.execute-api.{region}.amazonaws.com</c>), else null.</summary>
    internal static string? RegionOf(string api)
    {
        var labels = new Uri(api).Host.Split('.');
        return labels.Length >= 5 && labels[1] == "execute-api" && labels[3] == "amazonaws" && labels[4] == "com" ? labels[2] : null;
    }

    private static string Team(string team) =>
        team.Length is > 0 and <= 64 && team.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? team : throw new ArgumentException($"--team '{team}' is not a team name: 1 to 64 letters, digits, '-', '_' or '.'.");

    private static string KeyId(string id) =>
        id.Length == 12 && id.All(c => c is (>= 'a' and <= 'z') or (>= '2' and <= '7'))
            ? id : throw new ArgumentException($"--id '{id}' is not a key id: the 12 characters after amp_ (a-z, 2-7), as `keys list` shows them.");

    private static JsonNode Number(string text, string name) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? JsonValue.Create(n) : throw new ArgumentException($"--{name} '{text}' is not a whole number, 0 or more.");

    private static JsonNode Dollars(string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            ? JsonValue.Create(d) : throw new ArgumentException($"--monthly-usd '{text}' is not an amount of dollars such as 2500 or 99.50.");

    private static JsonNode Time(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? JsonValue.Create(t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))
            : throw new ArgumentException($"--expires-at '{text}' is not a time such as 2027-01-31T00:00:00Z.");

    private static string Month(string text) =>
        text.Length == 7 && DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? text : throw new ArgumentException($"--month '{text}' is not a month such as 2026-12.");

    private static JsonObject Object(params (string Name, object? Value)[] members)
    {
        var o = new JsonObject();
        foreach (var (name, value) in members)
            switch (value)
            {
                case null or "": break;
                case JsonNode node: o[name] = node; break;
                case string s: o[name] = s; break;
            }
        return o;
    }
}
