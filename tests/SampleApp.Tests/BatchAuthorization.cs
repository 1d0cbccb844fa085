using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>
/// What AWS Batch authorizes for the calls the training handler makes (Service Authorization Reference, AWS Batch):
/// SubmitJob on the job queue and on the job-definition revision it resolves to, plus TagResource on the new job with
/// the request's tags (<c>aws:RequestTag/…</c>, <c>aws:TagKeys</c>) when it is tagged at submission; ListJobs and
/// DescribeJobs on <c>*</c> (no resource-level permissions); TerminateJob on the job with the tags it holds
/// (<c>aws:ResourceTag/…</c>, read from moto as the admin).
/// </summary>
public sealed class BatchAuthorization(HttpClient adminBatch) : IServiceAuthorization
{
    private static readonly string Arn = $"arn:aws:batch:{MotoAccount.Region}:{MotoAccount.Account}:";

    public string SigningName => "batch";

    public async Task<(string Operation, IReadOnlyList<AuthorizationCheck> Checks)> ChecksAsync(HttpRequest request, JsonObject body)
    {
        var operation = request.Path.Value!.TrimStart('/').Replace("v1/", "", StringComparison.Ordinal);
        switch (operation)
        {
            case "submitjob":
                var checks = new List<AuthorizationCheck>
                {
                    new("batch:SubmitJob", QueueArn(body["jobQueue"]!.GetValue<string>())),
                    new("batch:SubmitJob", await DefinitionArnAsync(body["jobDefinition"]!.GetValue<string>())),
                };
                if (body["tags"] is JsonObject tags && tags.Count > 0)
                {
                    var context = new JsonObject { ["aws:TagKeys"] = new JsonArray(tags.Select(t => (JsonNode)t.Key).ToArray()) };
                    foreach (var (key, value) in tags) context["aws:RequestTag/" + key] = value!.GetValue<string>();
                    checks.Add(new("batch:TagResource", Arn + "job/" + Guid.NewGuid(), context));
                }
                return ("SubmitJob", checks);
            case "listjobs":
                return ("ListJobs", [new("batch:ListJobs", "*")]);
            case "describejobs":
                return ("DescribeJobs", [new("batch:DescribeJobs", "*")]);
            case "terminatejob":
                var jobId = body["jobId"]!.GetValue<string>();
                var resourceTags = new JsonObject();
                foreach (var (key, value) in await JobTagsAsync(jobId)) resourceTags["aws:ResourceTag/" + key] = value;
                return ("TerminateJob", [new("batch:TerminateJob", Arn + "job/" + jobId, resourceTags)]);
            default:
                throw new NotSupportedException($"the Batch stand-in does not know {request.Path}");
        }
    }

    public async Task DenyAsync(HttpContext http, string message)
    {
        http.Response.StatusCode = 403;
        http.Response.Headers["X-Amzn-ErrorType"] = "AccessDeniedException";
        await http.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["message"] = message });
    }

    /// <summary>The tags Batch holds for a job (none for an unknown id).</summary>
    private async Task<IReadOnlyList<(string Key, string Value)>> JobTagsAsync(string jobId)
    {
        using var response = await adminBatch.PostAsync("v1/describejobs",
            new StringContent(JsonSerializer.Serialize(new { jobs = new[] { jobId } }), Encoding.UTF8, "application/json"));
        var jobs = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["jobs"]!.AsArray();
        return jobs.Count == 0 || jobs[0]!["tags"] is not JsonObject tags
            ? []
            : tags.Select(t => (t.Key, t.Value!.GetValue<string>())).ToList();
    }

    private static string QueueArn(string queue) => queue.StartsWith("arn:", StringComparison.Ordinal) ? queue : Arn + "job-queue/" + queue;

    /// <summary>A definition given by name is its latest ACTIVE revision, as Batch resolves it.</summary>
    private async Task<string> DefinitionArnAsync(string definition)
    {
        if (definition.StartsWith("arn:", StringComparison.Ordinal)) return definition;
        if (definition.Contains(':')) return Arn + "job-definition/" + definition;
        using var response = await adminBatch.PostAsync("v1/describejobdefinitions",
            new StringContent(JsonSerializer.Serialize(new { jobDefinitionName = definition, status = "ACTIVE" }), Encoding.UTF8, "application/json"));
        var found = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["jobDefinitions"]!.AsArray();
        return found.Count == 0
            ? Arn + "job-definition/" + definition + ":1"
            : found.OrderBy(d => d!["revision"]!.GetValue<int>()).Last()!["jobDefinitionArn"]!.GetValue<string>();
    }
}
