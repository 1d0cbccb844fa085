using System.Net;
using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// The multi-node queue (Training:MultiNodeJobQueue): configuration, where submissions go, and listing the main queue
/// then the multi-node queue behind one opaque nextToken; against a scripted Batch that pages per queue.
/// </summary>
public sealed class MultiNodeQueueTests
{
    private const string Main = "training-queue";
    private const string MultiNode = "training-multi-node-queue";

    private static readonly Dictionary<string, string?> Config = new()
    {
        ["Training:JobQueue"] = Main,
        ["Training:JobTag"] = "Training-TrainingJobs-ABCD1234",
        ["Training:MultiNodeJobQueue"] = MultiNode,
        ["Training:JobDefinitions:0:Name"] = "finetune",
        ["Training:JobDefinitions:0:BatchName"] = "platform-training-finetune",
        ["Training:JobDefinitions:1:Name"] = "ddp",
        ["Training:JobDefinitions:1:BatchName"] = "platform-training-ddp",
        ["Training:JobDefinitions:1:Nodes"] = "2",
        ["Training:DatasetsBucket"] = "datasets",
        ["Training:OutputBucket"] = "outputs",
        ["Training:StateBucket"] = "state",
        ["Training:KeyId"] = "alias/platform",
        ["Training:AllowedInstanceTypes"] = "g5.12xlarge",
        ["Training:JobVisibility"] = "Shared",
    };

    private static TrainingCatalog Catalog(Dictionary<string, string?> values) => TrainingTestSupport.Catalog(values);

    [Fact]
    public void Multi_node_definitions_go_to_the_multi_node_queue_and_both_queues_are_ours()
    {
        var catalog = Catalog(Config);
        Assert.Equal([Main, MultiNode], catalog.JobQueues);
        Assert.Equal(MultiNode, catalog.QueueFor(catalog.Find("ddp")!));
        Assert.Equal(Main, catalog.QueueFor(catalog.Find("finetune")!));
        Assert.True(catalog.IsOurQueue("arn:aws:batch:us-east-1:123456789012:job-queue/" + MultiNode));
        Assert.True(catalog.IsOurQueue("arn:aws:batch:us-east-1:123456789012:job-queue/" + Main));
        Assert.False(catalog.IsOurQueue("arn:aws:batch:us-east-1:123456789012:job-queue/someone-elses-queue"));

        // Without the key, every job goes to the one queue.
        var single = Catalog(new Dictionary<string, string?>(Config) { ["Training:MultiNodeJobQueue"] = null });
        Assert.Null(single.MultiNodeJobQueue);
        Assert.Equal([Main], single.JobQueues);
        Assert.Equal(Main, single.QueueFor(single.Find("ddp")!));
    }

    [Theory]
    [InlineData("not a queue!", "Training:MultiNodeJobQueue: 'not a queue!' is not a Batch job queue name or ARN")]
    [InlineData(Main, "Training:MultiNodeJobQueue: 'training-queue' is Training:JobQueue")]
    [InlineData("arn:aws:batch:us-east-1:123456789012:job-queue/" + Main, "is Training:JobQueue")]
    public void A_multi_node_queue_that_is_no_other_queue_fails_naming_the_key(string value, string message)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Catalog(new Dictionary<string, string?>(Config) { ["Training:MultiNodeJobQueue"] = value }));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task A_multi_node_submission_goes_to_the_multi_node_queue_and_a_single_node_one_to_the_main_queue()
    {
        var catalog = Catalog(Config);
        var batch = new PagedBatch();
        foreach (var definition in new[] { "ddp", "finetune" })
        {
            var submission = TrainingRequestParser.Parse(Encoding.UTF8.GetBytes($$"""{"name":"j","definition":"{{definition}}"}"""), catalog);
            await Service(batch, catalog).SubmitAsync(submission, idempotencyKey: null, "caller", CancellationToken.None);
        }
        var queues = batch.Calls.Where(c => c.Path == "/v1/submitjob").Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("jobQueue").GetString());
        Assert.Equal([MultiNode, Main], queues);
    }

    [Fact]
    public async Task Listing_pages_through_the_main_queue_then_the_multi_node_queue()
    {
        var batch = new PagedBatch
        {
            Pages =
            {
                [(Main, null)] = (["a1", "a2"], "batch-a"),
                [(Main, "batch-a")] = (["a3"], null),
                [(MultiNode, null)] = (["b1"], "batch-b"),
                [(MultiNode, "batch-b")] = (["b2"], null),
            },
        };
        var service = Service(batch, Catalog(Config));
        var seen = new List<(List<string> Ids, string? Next)>();
        TrainingListToken? from = null;
        do
        {
            var page = await service.ListAsync(null, 2, from, "caller", CancellationToken.None);
            seen.Add((page.JobSummaryList.Select(j => j.JobId).ToList(), page.NextToken));
            from = page.NextToken is { } next ? Parsed(next, 2) : null;
        }
        while (from is not null && seen.Count < 10);

        Assert.Equal(["a1", "a2"], seen[0].Ids);
        Assert.Equal("0.batch-a", seen[0].Next);
        Assert.Equal(["a3"], seen[1].Ids);
        Assert.Equal("1.", seen[1].Next); // the main queue is done: the multi-node queue from its start
        Assert.Equal(["b1"], seen[2].Ids);
        Assert.Equal("1.batch-b", seen[2].Next);
        Assert.Equal(["b2"], seen[3].Ids);
        Assert.Null(seen[3].Next);
        Assert.Equal(4, seen.Count);
        Assert.Equal([(Main, null), (Main, "batch-a"), (MultiNode, null), (MultiNode, "batch-b")], batch.Listed);
    }

    [Fact]
    public async Task An_empty_main_queue_moves_on_to_the_multi_node_queue_in_the_same_request()
    {
        var batch = new PagedBatch { Pages = { [(Main, null)] = ([], null), [(MultiNode, null)] = (["b1"], null) } };
        var page = await Service(batch, Catalog(Config)).ListAsync("RUNNING", 50, null, "caller", CancellationToken.None);
        Assert.Equal(["b1"], page.JobSummaryList.Select(j => j.JobId));
        Assert.Null(page.NextToken);
        Assert.Equal([(Main, null), (MultiNode, null)], batch.Listed);
    }

    [Fact]
    public async Task With_one_queue_the_last_page_ends_the_listing()
    {
        var catalog = Catalog(new Dictionary<string, string?>(Config) { ["Training:MultiNodeJobQueue"] = null });
        var batch = new PagedBatch { Pages = { [(Main, null)] = (["a1"], "batch-a"), [(Main, "batch-a")] = (["a2"], null) } };
        var first = await Service(batch, catalog).ListAsync(null, 1, null, "caller", CancellationToken.None);
        Assert.Equal("0.batch-a", first.NextToken);
        var last = await Service(batch, catalog).ListAsync(null, 1, Parsed(first.NextToken!, 1), "caller", CancellationToken.None);
        Assert.Null(last.NextToken);
    }

    [Theory]
    [InlineData("0.batch-token", 2, 0, "batch-token")]
    [InlineData("1.", 2, 1, null)]
    [InlineData("1.a.b-c_d=+/", 2, 1, "a.b-c_d=+/")]
    [InlineData("0.x", 1, 0, "x")]
    public void A_token_the_api_returned_is_read_back(string text, int queues, int queue, string? batchToken)
    {
        Assert.True(TrainingListToken.TryParse(text, queues, out var token));
        Assert.Equal(new TrainingListToken(queue, batchToken), token);
        Assert.Equal(text, token.Encode());
    }

    [Theory]
    [InlineData("", 2)]
    [InlineData("1", 2)]
    [InlineData("0.", 2)] // the first page has no token: never handed out
    [InlineData("2.", 2)] // no third queue
    [InlineData("2.batch-token", 2)]
    [InlineData("1.", 1)] // no multi-node queue configured (any more)
    [InlineData("1.batch-token", 1)]
    [InlineData("x.batch-token", 2)]
    [InlineData("10.batch-token", 2)]
    [InlineData("-1.batch-token", 2)]
    [InlineData("batch-token", 2)] // a bare Batch token (what the API returned before the queue index)
    public void A_token_the_api_did_not_return_is_refused(string text, int queues) =>
        Assert.False(TrainingListToken.TryParse(text, queues, out _));

    private static TrainingListToken Parsed(string text, int queues)
    {
        Assert.True(TrainingListToken.TryParse(text, queues, out var token), text);
        return token;
    }

    private static TrainingService Service(HttpMessageHandler batch, TrainingCatalog catalog)
    {
        var options = Options.Create(new TrainingSettings { BatchTimeoutSeconds = 5 });
        return new TrainingService(new BatchClient(new HttpClient(batch) { BaseAddress = new Uri("https://batch.us-east-1.amazonaws.com/") }),
            catalog, new TrainingSecrets(null!, catalog), new IdempotencyStore(null!, catalog, options), options, TimeProvider.System, NullLogger<TrainingService>.Instance);
    }

    /// <summary>
    /// ListJobs answers the scripted page of (queue, token); DescribeJobs the jobs asked for; SubmitJob a job id; every call is recorded.
    /// </summary>
    private sealed class PagedBatch : HttpMessageHandler
    {
        public Dictionary<(string Queue, string? Token), (string[] Ids, string? Next)> Pages { get; } = [];
        public List<(string Path, string Body)> Calls { get; } = [];
        public List<(string Queue, string? Token)> Listed { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
            lock (Calls) Calls.Add((request.RequestUri!.AbsolutePath, body));
            object answer;
            if (request.RequestUri.AbsolutePath == "/v1/listjobs")
            {
                var root = JsonDocument.Parse(body).RootElement;
                var key = (root.GetProperty("jobQueue").GetString()!, root.TryGetProperty("nextToken", out var t) ? t.GetString() : null);
                Listed.Add(key);
                var (ids, next) = Pages[key];
                answer = new { jobSummaryList = ids.Select(id => new { jobId = id, jobName = "j", status = "RUNNING" }), nextToken = next };
            }
            else if (request.RequestUri.AbsolutePath == "/v1/describejobs")
            {
                // The listed jobs, as the page is described for their costs.
                var ids = JsonDocument.Parse(body).RootElement.GetProperty("jobs").EnumerateArray().Select(id => id.GetString());
                answer = new { jobs = ids.Select(id => new { jobId = id, jobName = "j", status = "RUNNING" }) };
            }
            else
            {
                answer = new { jobId = Guid.NewGuid().ToString(), jobName = "j" };
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(answer), Encoding.UTF8, "application/json") };
        }
    }
}
