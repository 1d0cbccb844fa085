using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AwsModelPlatform.Constructs.Tests.Inference;

namespace AwsModelPlatform.Constructs.Tests.Training;

/// <summary>
/// The sample-like <see cref="DefaultTraining"/>'s three EventBridge rules (Succeeded, Failed, StuckRunnable), created
/// with their exact synthesized patterns in moto's EventBridge with SQS targets, and fed the Batch events AWS documents
/// (job_events.py beside this file). Queue ARNs are resolved as AWS writes them into the events:
/// <c>arn:aws:batch:REGION:ACCOUNT:job-queue/NAME</c>, here with the queue's logical id as its name.
/// </summary>
public sealed class JobEventDelivery : IDisposable
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";
    public const string OtherQueue = $"arn:aws:batch:{Region}:{Account}:job-queue/someone-elses-queue";

    private readonly MotoServer _moto = new();

    public DefaultTraining Training { get; } = new();
    public string MainQueue { get; }
    public string MultiNodeQueue { get; }
    /// <summary>Every event put, by its <c>detail.jobName</c> (the case name).</summary>
    public IReadOnlyDictionary<string, JsonObject> Events { get; }
    /// <summary>Per rule (Succeeded, Failed, StuckRunnable), the job names of the events that reached its queue, and the input transformer's messages.</summary>
    public IReadOnlyDictionary<string, (IReadOnlyList<string> JobNames, IReadOnlyList<string> Messages)> Delivered { get; }
    /// <summary>The reasons the queues' job-state time limits are configured with.</summary>
    public IReadOnlyList<string> TimeLimitReasons { get; }

    public JobEventDelivery()
    {
        var resources = Training.Template.Json()["Resources"]!.AsObject();
        string QueueArn(string logicalId) => $"arn:aws:batch:{Region}:{Account}:job-queue/{logicalId}";
        MainQueue = QueueArn(resources.Single(r => r.Key.StartsWith("TrainingQueue", StringComparison.Ordinal)).Key);
        MultiNodeQueue = QueueArn(resources.Single(r => r.Key.StartsWith("TrainingMultiNodeQueue", StringComparison.Ordinal)).Key);
        TimeLimitReasons = resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Batch::JobQueue")
            .SelectMany(r => r.Value!["Properties"]!["JobStateTimeLimitActions"]!.AsArray().Select(a => a!["Reason"]!.GetValue<string>()))
            .Distinct().ToList();

        var rules = new JsonObject();
        foreach (var (id, rule) in resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Events::Rule"))
        {
            var pattern = rule!["Properties"]!["EventPattern"]!.DeepClone().AsObject();
            var queues = pattern["detail"]!["jobQueue"]!.AsArray();
            pattern["detail"]!["jobQueue"] = new JsonArray(queues.Select(q => (JsonNode)JsonValue.Create(QueueArn(LogicalId(q!)))).ToArray());
            var transformer = rule["Properties"]!["Targets"]?[0]?["InputTransformer"]?.DeepClone();
            rules[RuleName(id)] = new JsonObject { ["pattern"] = pattern, ["inputTransformer"] = transformer };
        }

        var events = JobEventSamples.All(MainQueue, MultiNodeQueue, TimeLimitReasons);
        Events = events.ToDictionary(e => e["detail"]!["jobName"]!.GetValue<string>());
        var report = Run(_moto.Url, new JsonObject { ["rules"] = rules, ["events"] = new JsonArray(events.Select(e => (JsonNode)e.DeepClone()).ToArray()) });
        Delivered = report.AsObject().ToDictionary(
            r => r.Key,
            r => ((IReadOnlyList<string>)r.Value!["events"]!.AsArray().Select(e => e!["detail"]!["jobName"]!.GetValue<string>()).ToList(),
                  (IReadOnlyList<string>)r.Value["messages"]!.AsArray().Select(m => m!.GetValue<string>()).ToList()));
    }

    private static string LogicalId(JsonNode reference) =>
        reference["Ref"]?.GetValue<string>() ?? reference["Fn::GetAtt"]![0]!.GetValue<string>();

    /// <summary>Succeeded, Failed or StuckRunnable, from the rule's logical id (Training + id + hash).</summary>
    private static string RuleName(string logicalId) =>
        new[] { "StuckRunnable", "Succeeded", "Failed" }.Single(n => logicalId.StartsWith("Training" + n, StringComparison.Ordinal));

    private static JsonNode Run(string motoUrl, JsonObject cases, [CallerFilePath] string here = "")
    {
        var file = Path.Combine(Path.GetTempPath(), $"job-events-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, cases.ToJsonString());
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(Path.GetDirectoryName(here)!, "job_events.py"), motoUrl, file }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("job_events.py did not finish in 120 s");
            }
            if (process.ExitCode != 0) throw new InvalidOperationException($"job_events.py failed ({process.ExitCode}): {stderr.Result}");
            return JsonNode.Parse(stdout.Result)!;
        }
        finally { File.Delete(file); }
    }

    public void Dispose() => _moto.Dispose();
}

/// <summary>
/// "Batch Job State Change" and "Batch Job Queue Blocked" events in the format of the AWS Batch User Guide's examples
/// (https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html,
/// https://docs.aws.amazon.com/batch/latest/userguide/batch-job-queue-blocked-events.html), with the status reasons AWS
/// documents: a job the queue's time limit cancels ends FAILED ("CancelJob": jobs in RUNNABLE are cancelled and their
/// status is updated to FAILED) with "Canceled by JobStateTimeLimit action due to reason: REASON"
/// (https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable_capacity.html,
/// https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable_misconfiguration.html), while it blocks the
/// queue its reason is "REASON - explanation". Each case's name is its job name.
/// </summary>
public static class JobEventSamples
{
    public const string CancelledForCapacity = "Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY";
    public const string CancelledForMaxResource = "Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE";
    public const string CancelledForJobResources = "Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT";

    /// <summary>Case name, queue (main, multi-node or another team's), detail-type, status, status reason, and the rules that must see it.</summary>
    public static IReadOnlyList<(string Name, string Queue, string DetailType, string Status, string? Reason, string[] Rules)> Cases(string main, string multiNode) => new[]
    {
        ("succeeded", main, "Batch Job State Change", "SUCCEEDED", "Essential container in task exited", new[] { "Succeeded" }),
        ("failed-exit-code", main, "Batch Job State Change", "FAILED", "Essential container in task exited", new[] { "Failed" }),
        ("failed-host-terminated", main, "Batch Job State Change", "FAILED", "Host EC2 (instance i-0123456789abcdef0) terminated.", new[] { "Failed" }),
        ("failed-cancelled-by-user", main, "Batch Job State Change", "FAILED", "superseded", new[] { "Failed" }),
        ("cancelled-no-capacity", main, "Batch Job State Change", "FAILED", CancelledForCapacity, new[] { "Failed", "StuckRunnable" }),
        ("cancelled-max-vcpus", main, "Batch Job State Change", "FAILED", CancelledForMaxResource, new[] { "Failed", "StuckRunnable" }),
        ("cancelled-no-instance-type-fits", main, "Batch Job State Change", "FAILED", CancelledForJobResources, new[] { "Failed", "StuckRunnable" }),
        ("multi-node-cancelled-no-capacity", multiNode, "Batch Job State Change", "FAILED", CancelledForCapacity, new[] { "Failed", "StuckRunnable" }),
        ("multi-node-succeeded", multiNode, "Batch Job State Change", "SUCCEEDED", "Essential container in task exited", new[] { "Succeeded" }),
        // Must not be caught: states on the way, a job still blocking the queue, the queue-blocked event, another team's queue.
        ("runnable", main, "Batch Job State Change", "RUNNABLE", null, Array.Empty<string>()),
        ("running", main, "Batch Job State Change", "RUNNING", null, Array.Empty<string>()),
        ("runnable-blocked-no-capacity", main, "Batch Job State Change", "RUNNABLE",
            "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type [g5.12xlarge]", Array.Empty<string>()),
        ("queue-blocked-max-vcpus", main, "Batch Job Queue Blocked", "RUNNABLE",
            "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job.", Array.Empty<string>()),
        ("queue-blocked-job-resources", main, "Batch Job Queue Blocked", "RUNNABLE",
            "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue.", Array.Empty<string>()),
        ("other-queue-failed", JobEventDelivery.OtherQueue, "Batch Job State Change", "FAILED", CancelledForCapacity, Array.Empty<string>()),
        ("other-queue-succeeded", JobEventDelivery.OtherQueue, "Batch Job State Change", "SUCCEEDED", "Essential container in task exited", Array.Empty<string>()),
    };

    /// <summary>The cases, plus one cancellation by each reason the queues are configured with, on each queue.</summary>
    public static List<JsonObject> All(string main, string multiNode, IEnumerable<string> timeLimitReasons) =>
        Cases(main, multiNode).Select(c => Event(c.Name, c.Queue, c.DetailType, c.Status, c.Reason))
            .Concat(timeLimitReasons.SelectMany(reason => new[] { (Queue: main, Tag: "main"), (Queue: multiNode, Tag: "multi-node") }
                .Select(q => Event($"configured-{q.Tag}-{reason}", q.Queue, "Batch Job State Change", "FAILED", CancelledBy(reason)))))
            .ToList();

    /// <summary>The status reason of a job cancelled by the time limit of this reason.</summary>
    public static string CancelledBy(string reason) => "Canceled by JobStateTimeLimit action due to reason: " + reason;

    /// <summary>An event shaped like the User Guide's example (its fields, account and region), for one job.</summary>
    public static JsonObject Event(string name, string queue, string detailType, string status, string? reason)
    {
        var jobId = Guid.NewGuid().ToString();
        var jobArn = $"arn:aws:batch:{JobEventDelivery.Region}:{JobEventDelivery.Account}:job/{jobId}";
        var detail = new JsonObject
        {
            ["jobArn"] = jobArn,
            ["jobName"] = name,
            ["jobId"] = jobId,
            ["jobQueue"] = queue,
            ["status"] = status,
            ["attempts"] = new JsonArray(),
            ["createdAt"] = 1641944200058,
            ["retryStrategy"] = new JsonObject { ["attempts"] = 3, ["evaluateOnExit"] = new JsonArray() },
            ["dependsOn"] = new JsonArray(),
            ["jobDefinition"] = $"arn:aws:batch:{JobEventDelivery.Region}:{JobEventDelivery.Account}:job-definition/training-finetune:1",
            ["parameters"] = new JsonObject(),
            ["container"] = new JsonObject { ["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/training:v1", ["command"] = new JsonArray("python", "train.py") },
            ["tags"] = new JsonObject { ["resourceArn"] = jobArn },
            ["propagateTags"] = true,
            ["platformCapabilities"] = new JsonArray(),
        };
        if (reason is not null) detail["statusReason"] = reason;
        var resources = new JsonArray(jobArn);
        if (detailType == "Batch Job Queue Blocked") resources.Add(queue);
        return new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = detailType,
            ["source"] = "aws.batch",
            ["account"] = JobEventDelivery.Account,
            ["time"] = "2022-01-11T23:36:40Z",
            ["region"] = JobEventDelivery.Region,
            ["resources"] = resources,
            ["detail"] = detail,
        };
    }
}

public class JobEventRuleTests(JobEventDelivery delivery) : IClassFixture<JobEventDelivery>
{
    public static TheoryData<string, string> Expected()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in JobEventSamples.Cases("main", "multi-node")) data.Add(c.Name, string.Join(",", c.Rules));
        return data;
    }

    private string[] RulesThatSaw(string jobName) =>
        delivery.Delivered.Where(r => r.Value.JobNames.Contains(jobName)).Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_documented_Batch_event_reaches_exactly_the_rules_meant_for_it(string jobName, string rules)
    {
        var expected = rules.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, RulesThatSaw(jobName));
    }

    [Fact]
    public void A_job_cancelled_by_any_time_limit_the_queues_are_configured_with_counts_as_stuck_on_both_queues()
    {
        Assert.Equal(new[] { "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT" },
            delivery.TimeLimitReasons.Order(StringComparer.Ordinal));
        var configured = delivery.Events.Keys.Where(k => k.StartsWith("configured-", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, configured.Count);
        Assert.All(configured, name => Assert.Equal(new[] { "Failed", "StuckRunnable" }, RulesThatSaw(name)));
    }

    [Fact]
    public void Every_event_put_was_accounted_for_and_each_rule_saw_each_event_once()
    {
        Assert.All(delivery.Delivered, r => Assert.Equal(r.Value.JobNames.Distinct().Count(), r.Value.JobNames.Count));
        Assert.Equal(new[] { "Failed", "StuckRunnable", "Succeeded" }, delivery.Delivered.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_patterns_use_only_literals_and_prefix_which_motos_matcher_implements_as_EventBridge_does()
    {
        // moto treats an operator it does not know as a match; literals and prefix it evaluates like EventBridge.
        static IEnumerable<JsonNode?> Leaves(JsonNode node) => node is JsonObject o ? o.SelectMany(p => p.Value is JsonArray a ? a : Leaves(p.Value!)) : new[] { node };
        var patterns = delivery.Training.Template.Resources("AWS::Events::Rule").Select(r => r.Value["Properties"]!["EventPattern"]!).ToList();
        Assert.Equal(3, patterns.Count);
        Assert.All(patterns.SelectMany(Leaves), leaf => Assert.True(
            leaf is JsonValue || leaf is JsonObject { Count: 1 } o && (o.ContainsKey("prefix") && o["prefix"] is JsonValue || o.ContainsKey("Ref") || o.ContainsKey("Fn::GetAtt")),
            $"pattern value {leaf?.ToJsonString()} is neither a literal, a queue reference nor a prefix"));
    }

    [Fact]
    public void A_job_the_time_limit_cancelled_reaches_the_alarm_topic_as_a_sentence_with_its_reason()
    {
        // The Failed rule's target input transformer, applied by moto to the documented event.
        var cancelled = delivery.Events["cancelled-no-capacity"]["detail"]!;
        var sentence = $"Training job cancelled-no-capacity ({cancelled["jobId"]!.GetValue<string>()}) FAILED: {JobEventSamples.CancelledForCapacity}";
        Assert.Contains(sentence, delivery.Delivered["Failed"].Messages);
        Assert.Contains(delivery.Delivered["Succeeded"].Messages, m => m.StartsWith("Training job succeeded (", StringComparison.Ordinal) && m.EndsWith(") SUCCEEDED: Essential container in task exited", StringComparison.Ordinal));
        Assert.Empty(delivery.Delivered["StuckRunnable"].Messages); // counted by its alarm only: the Failed rule already told the topic
    }
}
