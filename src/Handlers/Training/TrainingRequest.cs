using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>The body of <c>POST /v1/training-jobs</c> (documents the schema; the parser below reads it strictly).</summary>
public sealed record TrainingJobRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("definition")] string Definition)
{
    [JsonPropertyName("command")] public IReadOnlyList<string>? Command { get; init; }
    [JsonPropertyName("gpus")] public int? Gpus { get; init; }
    [JsonPropertyName("nodes")] public int? Nodes { get; init; }
    [JsonPropertyName("instanceType")] public string? InstanceType { get; init; }
    [JsonPropertyName("hyperparameters")] public IReadOnlyDictionary<string, string>? Hyperparameters { get; init; }
    [JsonPropertyName("datasetUri")] public string? DatasetUri { get; init; }
    [JsonPropertyName("maxRuntimeSeconds")] public int? MaxRuntimeSeconds { get; init; }
    [JsonPropertyName("secrets")] public IReadOnlyDictionary<string, string>? Secrets { get; init; }
}

/// <summary>
/// A submission that passed every rule; <see cref="Secrets"/> are plaintext and live only in memory. A null
/// <see cref="MaxRuntimeSeconds"/> leaves the attempt timeout to the job definition.
/// </summary>
public sealed record ValidatedSubmission(
    string Name, TrainingDefinition Definition, IReadOnlyList<string>? Command, int? Gpus, int Nodes, string? InstanceType,
    SortedDictionary<string, string> Hyperparameters, string? DatasetUri, int? MaxRuntimeSeconds, SortedDictionary<string, string> Secrets)
{
    /// <summary>
    /// SHA-256 over a canonical form of everything but the secrets' values (their names are in): the idempotency
    /// comparison. Secret values are compared by decrypting the stored ciphertexts, so no digest of a secret is kept.
    /// </summary>
    public string Fingerprint()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", Name);
            w.WriteString("definition", Definition.Name);
            if (Command is not null)
            {
                w.WriteStartArray("command");
                foreach (var c in Command) w.WriteStringValue(c);
                w.WriteEndArray();
            }
            if (Gpus is { } g) w.WriteNumber("gpus", g);
            w.WriteNumber("nodes", Nodes);
            if (InstanceType is not null) w.WriteString("instanceType", InstanceType);
            w.WriteStartObject("hyperparameters");
            foreach (var (k, v) in Hyperparameters) w.WriteString(k, v);
            w.WriteEndObject();
            if (DatasetUri is not null) w.WriteString("datasetUri", DatasetUri);
            if (MaxRuntimeSeconds is { } runtime) w.WriteNumber("maxRuntimeSeconds", runtime);
            w.WriteStartArray("secretNames");
            foreach (var k in Secrets.Keys) w.WriteStringValue(k);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}

/// <summary>
/// Reads and validates a submission: one JSON object, known fields only, each once, each of the right type and within
/// its limit; the definition, instance type, GPUs, nodes and runtime against the configuration; the dataset strictly
/// inside the datasets bucket. Every refusal is a 400 problem naming the field.
/// </summary>
internal static partial class TrainingRequestParser
{
    public const int MaxCommandArgs = 64;
    public const int MaxCommandBytes = 4096;
    public const int MaxHyperparameters = 64;
    public const int MaxHyperparameterValueLength = 1024;
    public const int MaxHyperparametersBytes = 8192;
    public const int MaxSecrets = 8;
    public const int MaxSecretBytes = 2048;
    public const int MaxSecretsBytes = 6144;
    public const int MaxDatasetUriLength = 1024;

    private static readonly string[] Known =
        ["name", "definition", "command", "gpus", "nodes", "instanceType", "hyperparameters", "datasetUri", "maxRuntimeSeconds", "secrets"];

    public static ValidatedSubmission Parse(ReadOnlySpan<byte> body, TrainingCatalog catalog)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            doc = JsonDocument.ParseValue(ref reader);
            if (reader.Read()) throw Problems.MalformedJson("The body holds more than one JSON value.");
        }
        catch (JsonException e)
        {
            throw Problems.MalformedJson($"The body is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Problems.BadRequest("The body must be a JSON object.");
            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                var field = JsonText.NameOf(p);
                if (Array.IndexOf(Known, field) < 0)
                    throw Problems.BadRequest($"Unknown field '{Clip(field)}'; known fields: {string.Join(", ", Known)}.");
                if (!fields.TryAdd(field, p.Value)) throw Problems.BadRequest($"Field '{field}' appears more than once.");
            }

            var name = RequiredString(fields, "name");
            if (!JobName().IsMatch(name))
                throw Problems.BadRequest(
                    "'name' must be 1-128 letters, digits, hyphens or underscores, starting with a letter or digit (AWS Batch's job name rule).");

            var definitionName = RequiredString(fields, "definition");
            var definition = catalog.Find(definitionName)
                ?? throw Problems.UnknownDefinition(
                    $"'definition' names no configured job definition; known: {string.Join(", ", catalog.Definitions.Select(d => d.Name))}.");

            string? instanceType = OptionalString(fields, "instanceType");
            var type = (GpuInstanceType?)null;
            if (instanceType is not null)
            {
                type = catalog.AllowedInstanceTypes.FirstOrDefault(t => t.Name == instanceType)
                    ?? throw Problems.InstanceTypeNotAllowed(
                        $"'instanceType' must be one of: {string.Join(", ", catalog.AllowedInstanceTypes.Select(t => t.Name))}.");
                if (!definition.MultiNode)
                    throw Problems.BadRequest(
                        $"'instanceType' applies to multi-node definitions only (Batch refuses it on single-node jobs); '{definition.Name}' runs "
                            + "on whichever allowed type fits its GPUs.");
            }

            var nodes = OptionalInt(fields, "nodes") ?? definition.Nodes;
            if (!definition.MultiNode && nodes != 1)
                throw Problems.TooManyNodes($"'{definition.Name}' is a single-node definition; 'nodes' must be 1 or absent.");
            if (nodes < 1 || nodes > definition.MaxNodes)
                throw Problems.TooManyNodes($"'nodes' must be 1..{definition.MaxNodes} for '{definition.Name}' (default {definition.Nodes}).");

            var gpus = OptionalInt(fields, "gpus");
            if (gpus is { } g)
            {
                var max = type?.Gpus ?? catalog.AllowedInstanceTypes.Max(t => t.Gpus);
                if (g < 1 || g > max)
                    throw Problems.TooManyGpus(
                        $"'gpus' must be 1..{max} per node ({(type is null ? "the most any allowed instance type has" : $"what {type.Name} has")}).");
            }

            // Absent: no timeout is sent and the definition's own applies (a default here would override it). Given: it
            // may lower the definition's timeout, never raise it, and never exceed the API's cap.
            var runtime = OptionalInt(fields, "maxRuntimeSeconds");
            if (runtime is { } seconds)
            {
                var ceiling = Math.Min(catalog.MaxRuntimeSeconds, definition.AttemptTimeoutSeconds ?? int.MaxValue);
                if (seconds < 60 || seconds > ceiling)
                {
                    var own = definition.AttemptTimeoutSeconds is { } timeout ? $" and the attempt timeout of '{definition.Name}' ({timeout})" : "";
                    throw Problems.BadRequest(
                        $"'maxRuntimeSeconds' must be 60..{ceiling}: Batch's minimum to the lower of Training:MaxRuntimeSeconds "
                            + $"({catalog.MaxRuntimeSeconds}){own}. Omit it to run under the definition's timeout.");
                }
            }

            IReadOnlyList<string>? command = null;
            if (fields.TryGetValue("command", out var cmd) && cmd.ValueKind != JsonValueKind.Null)
            {
                if (cmd.ValueKind != JsonValueKind.Array) throw Problems.BadRequest("'command' must be an array of strings.");
                var list = new List<string>();
                var bytes = 0;
                foreach (var item in cmd.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String) throw Problems.BadRequest("'command' must be an array of strings.");
                    var s = JsonText.Of(item);
                    if (s.Contains('\0')) throw Problems.BadRequest("'command' arguments may not contain NUL characters.");
                    bytes += Encoding.UTF8.GetByteCount(s);
                    list.Add(s);
                }
                if (list.Count == 0 || list.Count > MaxCommandArgs || bytes > MaxCommandBytes)
                    throw Problems.BadRequest($"'command' must have 1..{MaxCommandArgs} arguments of at most {MaxCommandBytes} bytes together.");
                command = list;
            }

            var hyperparameters = StringMap(fields, "hyperparameters", HyperparameterKey(), "1-128 letters, digits, '.', '_' or '-'",
                MaxHyperparameters, MaxHyperparameterValueLength, MaxHyperparametersBytes);
            var secrets = StringMap(fields, "secrets", SecretName(), "1-64 uppercase letters, digits or '_', starting with a letter",
                MaxSecrets, MaxSecretBytes, MaxSecretsBytes);
            foreach (var v in secrets.Values)
                if (v.Length == 0) throw Problems.BadRequest("'secrets' values may not be empty.");

            var dataset = OptionalString(fields, "datasetUri");
            if (dataset is not null) dataset = DatasetUri.Validate(dataset, catalog.DatasetsBucket);

            return new ValidatedSubmission(name, definition, command, gpus, nodes, instanceType, hyperparameters, dataset, runtime, secrets);
        }
    }

    private static string RequiredString(Dictionary<string, JsonElement> fields, string name) =>
        OptionalString(fields, name) ?? throw Problems.BadRequest($"'{name}' is required.");

    private static string? OptionalString(Dictionary<string, JsonElement> fields, string name)
    {
        if (!fields.TryGetValue(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.String) throw Problems.BadRequest($"'{name}' must be a string.");
        var s = JsonText.Of(e);
        if (s.Length == 0) throw Problems.BadRequest($"'{name}' may not be empty.");
        if (s.Length > 2048) throw Problems.BadRequest($"'{name}' is too long.");
        return s;
    }

    private static int? OptionalInt(Dictionary<string, JsonElement> fields, string name)
    {
        if (!fields.TryGetValue(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v)) throw Problems.BadRequest($"'{name}' must be an integer.");
        return v;
    }

    private static SortedDictionary<string, string> StringMap(
        Dictionary<string, JsonElement> fields, string name, Regex keyRule, string keyText, int maxEntries, int maxValue, int maxTotal)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue(name, out var e) || e.ValueKind == JsonValueKind.Null) return map;
        if (e.ValueKind != JsonValueKind.Object) throw Problems.BadRequest($"'{name}' must be an object of string values.");
        var total = 0;
        foreach (var p in e.EnumerateObject())
        {
            var key = JsonText.NameOf(p);
            if (!keyRule.IsMatch(key)) throw Problems.BadRequest($"'{name}' keys must be {keyText}.");
            if (p.Value.ValueKind != JsonValueKind.String) throw Problems.BadRequest($"'{name}' values must be strings.");
            if (!map.TryAdd(key, JsonText.Of(p.Value))) throw Problems.BadRequest($"'{name}' has a key more than once.");
            var size = Encoding.UTF8.GetByteCount(map[key]);
            if (size > maxValue) throw Problems.BadRequest($"'{name}' values are limited to {maxValue} bytes each.");
            total += size + key.Length;
            if (map.Count > maxEntries || total > maxTotal)
                throw Problems.BadRequest($"'{name}' is limited to {maxEntries} entries and {maxTotal} bytes together.");
        }
        return map;
    }

    private static string Clip(string s) => s.Length > 64 ? s[..64] + "…" : s;

    // \z, not $: $ also matches before a final "\n", which would pass "j\n" on to KMS, S3 and Batch.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,127}\\z")]
    private static partial Regex JobName();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}\\z")]
    private static partial Regex HyperparameterKey();

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,63}\\z")]
    private static partial Regex SecretName();
}

/// <summary>
/// <c>datasetUri</c>: <c>s3://{datasets bucket}[/{key or prefix}]</c> and nothing else — no other bucket (the function's role
/// could read it for the caller: a confused deputy), no percent-encoding, no <c>.</c>/<c>..</c> or empty segments, no
/// backslashes, query, fragment, whitespace or control characters; keys use S3's safe characters only.
/// </summary>
public static partial class DatasetUri
{
    public static string Validate(string uri, string bucket)
    {
        if (uri.Length > TrainingRequestParser.MaxDatasetUriLength) throw Refuse("is too long.");
        if (!uri.StartsWith("s3://", StringComparison.Ordinal)) throw Refuse("must be an s3:// URI.");
        var rest = uri[5..];
        var slash = rest.IndexOf('/');
        var host = slash < 0 ? rest : rest[..slash];
        if (!string.Equals(host, bucket, StringComparison.Ordinal)) throw Refuse($"must be inside the datasets bucket s3://{bucket}/.");
        if (slash < 0 || slash == rest.Length - 1) return $"s3://{bucket}/";
        var key = rest[(slash + 1)..];
        if (!SafeKey().IsMatch(key))
            throw Refuse("may contain only letters, digits, '/' and S3's safe characters ! - _ . * ' ( ) = (no percent-encoding).");
        foreach (var segment in key.TrimEnd('/').Split('/'))
            if (segment is "" or "." or "..") throw Refuse("may not contain empty, '.' or '..' path segments.");
        return uri;
    }

    private static ApiProblemException Refuse(string why) =>
        Problems.DatasetOutsideBucket("'datasetUri' " + why);

    [GeneratedRegex("^[A-Za-z0-9!_.*'()=/-]+\\z")] // \z: $ would let a final "\n" through
    private static partial Regex SafeKey();
}
