using System.Net;
using System.Text;
using System.Text.Json;
using AwsModelPlatform.Handlers.Aws;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>Which jobs a caller sees under Caller and Shared visibility.</summary>
public sealed class JobVisibilityTests : TrainingTestSupport
{
    [Theory]
    [InlineData("RUNNING")]
    [InlineData("SUCCEEDED")]
    public async Task Another_callers_job_is_not_found_and_never_stopped(string status)
    {
        var batch = new ScriptedBatch(status, "arn:aws:batch:us-east-1:123456789012:job-queue/training-queue");
        Assert.Null(await Service(batch).DescribeAsync(ScriptedBatch.JobId, "someone-else", CancellationToken.None));
        var e = await Assert.ThrowsAsync<ApiProblemException>(() => Service(batch).StopAsync(ScriptedBatch.JobId, "r", "someone-else", CancellationToken.None));
        Assert.Equal(404, e.Problem.Status); // not 409 for the finished one: no hint that the job exists
        Assert.Equal(TrainingService.JobNotFound(ScriptedBatch.JobId).Problem, e.Problem);
        Assert.DoesNotContain(batch.Calls, c => c.Path != "/v1/describejobs");
    }

    [Fact]
    public async Task Listing_with_caller_visibility_describes_the_page_once_keeps_its_order_and_its_next_token()
    {
        var listing = new ScriptedListing(
            ("11111111-1111-1111-1111-111111111111", "arn:aws:iam::1:user/a"),
            ("22222222-2222-2222-2222-222222222222", "arn:aws:iam::1:user/b"),
            ("33333333-3333-3333-3333-333333333333", null), // submitted straight to Batch: no caller tag
            ("44444444-4444-4444-4444-444444444444", "arn:aws:iam::1:user/a"));
        var page = await Service(listing).ListAsync(null, 4, null, "arn:aws:iam::1:user/a", CancellationToken.None);
        Assert.Equal(["11111111-1111-1111-1111-111111111111", "44444444-4444-4444-4444-444444444444"], page.JobSummaryList.Select(j => j.JobId));
        Assert.Equal("0.next-page", page.NextToken); // fewer than the limit, and still a next page (Batch's, with the queue index)
        var describe = Assert.Single(listing.Calls, c => c.Path == "/v1/describejobs");
        Assert.Equal(4, JsonDocument.Parse(describe.Body).RootElement.GetProperty("jobs").GetArrayLength());

        // Nobody's jobs on this page: an empty page that still pages on.
        var empty = await Service(listing).ListAsync(null, 4, null, "arn:aws:iam::1:user/c", CancellationToken.None);
        Assert.Empty(empty.JobSummaryList);
        Assert.Equal("0.next-page", empty.NextToken);

        // Shared: the page as Batch listed it, every caller's jobs, described once for the jobs' costs.
        var shared = new ScriptedListing(("11111111-1111-1111-1111-111111111111", "x"), ("22222222-2222-2222-2222-222222222222", null));
        var (sharedPage, described) = await Service(shared, visibility: "Shared").ListDescribedAsync(null, 4, null, "anyone", CancellationToken.None);
        Assert.Equal(2, sharedPage.JobSummaryList.Count);
        Assert.Equal(2, described.Count);
        Assert.Single(shared.Calls, c => c.Path == "/v1/describejobs");
    }

    [Fact]
    public async Task Callers_whose_readable_tags_collide_never_see_each_others_jobs()
    {
        // A role session name is chosen by whoever assumes the role: ',' is allowed there and becomes '_' in the readable tag.
        const string a = "arn:aws:sts::1:assumed-role/trainer/alice,ops";
        const string b = "arn:aws:sts::1:assumed-role/trainer/alice_ops";
        var prefix = "arn:aws:iam::1:user/" + new string('x', 300); // identical in their first 256 characters
        var listing = new ScriptedListing(
            ("11111111-1111-1111-1111-111111111111", a),
            ("22222222-2222-2222-2222-222222222222", b),
            ("33333333-3333-3333-3333-333333333333", prefix + "-one"),
            ("44444444-4444-4444-4444-444444444444", prefix + "-two"));
        async Task<string[]> Visible(string caller) =>
            (await Service(listing).ListAsync(null, 5, null, caller, CancellationToken.None)).JobSummaryList.Select(j => j.JobId[..1]).ToArray();

        Assert.Equal(["1"], await Visible(a));
        Assert.Equal(["2"], await Visible(b));
        Assert.Equal(["3"], await Visible(prefix + "-one"));
        Assert.Equal(["4"], await Visible(prefix + "-two"));
        Assert.Empty(await Visible("arn:aws:iam::1:user/other"));
        Assert.Null(await Service(listing).DescribeAsync("11111111-1111-1111-1111-111111111111", b, CancellationToken.None));
        Assert.NotNull(await Service(listing).DescribeAsync("11111111-1111-1111-1111-111111111111", a, CancellationToken.None));
    }
}
