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

/// <summary>
/// What the training unit tests share: a training configuration, its catalog, the service against a scripted AWS Batch
/// (and an in-memory S3 for idempotency records), and the scripted Batch answers.
/// </summary>
public abstract class TrainingTestSupport
{
    private protected static readonly Dictionary<string, string?> Config = new()
    {
        ["Training:JobQueue"] = "training-queue",
        ["Training:JobDefinitions:0:Name"] = "finetune",
        ["Training:JobDefinitions:0:BatchName"] = "platform-training-finetune",
        ["Training:DatasetsBucket"] = "datasets",
        ["Training:OutputBucket"] = "outputs",
        ["Training:StateBucket"] = "state",
        ["Training:KeyId"] = "alias/platform",
        ["Training:AllowedInstanceTypes"] = "g5.12xlarge",
        ["Training:JobTag"] = JobTag,
    };

    private protected const string JobTag = "Training-TrainingJobs-ABCD1234";

    internal static TrainingCatalog Catalog(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new TrainingSettings();
        configuration.GetSection(TrainingSettings.Section).Bind(options);
        return new TrainingCatalog(Options.Create(options), configuration);
    }

    private protected static readonly Dictionary<string, string?> MultiNodeConfig = new(Config)
    {
        ["Training:JobDefinitions:1:Name"] = "ddp",
        ["Training:JobDefinitions:1:BatchName"] = "platform-training-ddp",
        ["Training:JobDefinitions:1:Nodes"] = "2",
        ["Training:JobDefinitions:1:MaxNodes"] = "4",
        ["Training:JobDefinitions:1:AttemptTimeoutSeconds"] = "3600",
        ["Training:MaxRuntimeSeconds"] = "7200",
    };

    /// <summary>Parses <paramref name="json"/> as the API would, submits it to a scripted Batch, and returns the SubmitJob body sent.</summary>
    private protected static async Task<JsonDocument> SubmittedBody(string json)
    {
        var catalog = Catalog(MultiNodeConfig);
        var batch = new ScriptedBatch("SUBMITTED", "training-queue");
        var submission = TrainingRequestParser.Parse(Encoding.UTF8.GetBytes(json), catalog);
        await Service(batch, catalog: catalog).SubmitAsync(submission, idempotencyKey: null, "caller", CancellationToken.None);
        return JsonDocument.Parse(Assert.Single(batch.Calls, c => c.Path == "/v1/submitjob").Body);
    }

    private protected static TrainingService Service(HttpMessageHandler batch, double timeoutSeconds = 5, string visibility = "Caller", TrainingCatalog? catalog = null, Amazon.S3.IAmazonS3? s3 = null)
    {
        catalog ??= Catalog(new Dictionary<string, string?>(Config) { ["Training:JobVisibility"] = visibility });
        var options = Options.Create(new TrainingSettings { BatchTimeoutSeconds = timeoutSeconds });
        return new TrainingService(new BatchClient(new HttpClient(batch) { BaseAddress = new Uri("https://batch.us-east-1.amazonaws.com/") }),
            catalog, new TrainingSecrets(null!, catalog), new IdempotencyStore(s3!, catalog, options), options, TimeProvider.System, NullLogger<TrainingService>.Instance);
    }

    /// <summary>Answers SubmitJob with these (status, body) answers in turn, then with a job; records every call.</summary>
    private protected sealed class ScriptedSubmit(params (int Status, string Body)[] answers) : HttpMessageHandler
    {
        public const string JobId = "6a1f7a55-3f4b-4f0e-9d3c-2b7e1c8e9a10";
        private readonly Queue<(int Status, string Body)> _answers = new(answers);
        public List<string> Calls { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            lock (Calls) Calls.Add(request.RequestUri!.AbsolutePath);
            Assert.Equal("/v1/submitjob", request.RequestUri.AbsolutePath);
            await Task.Yield();
            var (status, body) = _answers.TryDequeue(out var a) ? a : (200, $$"""{"jobId":"{{JobId}}","jobName":"j"}""");
            return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }

    /// <summary>S3 objects in memory with conditional PutObject (<c>If-None-Match: *</c>, <c>If-Match</c>), behind a real S3 client.</summary>
    private protected sealed class InMemoryS3 : HttpMessageHandler
    {
        private readonly Dictionary<string, (byte[] Body, string ETag)> _objects = [];

        public Amazon.S3.IAmazonS3 Client() => new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("a", "b"), new Amazon.S3.AmazonS3Config
        {
            ServiceURL = "https://s3.example.test",
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new Factory(this),
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
        });

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var path = request.RequestUri!.AbsolutePath;
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(ct);
            if (request.Headers.TryGetValues("x-amz-content-sha256", out var sha) && sha.Single().StartsWith("STREAMING-", StringComparison.Ordinal))
                body = Unchunk(body);
            lock (_objects)
            {
                var exists = _objects.TryGetValue(path, out var current);
                if (request.Method == HttpMethod.Get)
                {
                    if (!exists) return Error(HttpStatusCode.NotFound, "NoSuchKey");
                    var ok = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(current.Body) };
                    ok.Headers.TryAddWithoutValidation("ETag", current.ETag);
                    ok.Content.Headers.ContentType = new("application/json");
                    return ok;
                }
                Assert.Equal(HttpMethod.Put, request.Method);
                if (request.Headers.IfNoneMatch.Count > 0 && exists) return Error(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
                if (request.Headers.TryGetValues("If-Match", out var match) && (!exists || match.Single() != current.ETag))
                    return Error(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
                var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(body))}\""; // as S3's (the client checks it)
                _objects[path] = (body, etag);
                var put = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
                put.Headers.TryAddWithoutValidation("ETag", etag);
                return put;
            }
        }

        /// <summary>The payload of an aws-chunked body (<c>{hex size};chunk-signature=…\r\n{data}\r\n</c>…, ending with size 0).</summary>
        private static byte[] Unchunk(byte[] chunked)
        {
            var payload = new List<byte>();
            var at = 0;
            while (true)
            {
                var eol = Array.IndexOf(chunked, (byte)'\n', at);
                var header = Encoding.ASCII.GetString(chunked, at, eol - at).TrimEnd('\r');
                var size = Convert.ToInt32(header.Split(';')[0], 16);
                if (size == 0) return [.. payload];
                payload.AddRange(chunked.AsSpan(eol + 1, size).ToArray());
                at = eol + 1 + size + 2;
            }
        }

        private static HttpResponseMessage Error(HttpStatusCode status, string code) =>
            new(status) { Content = new StringContent($"<Error><Code>{code}</Code><Message>{code}</Message></Error>", Encoding.UTF8, "application/xml") };

        private sealed class Factory(HttpMessageHandler handler) : Amazon.Runtime.HttpClientFactory
        {
            public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => new(handler, disposeHandler: false);
        }
    }

    private protected static string Readable(string caller) =>
        new(caller.Take(256).Select(c => char.IsLetterOrDigit(c) || c is ' ' or '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@' ? c : '_').ToArray());

    /// <summary>
    /// Answers ListJobs with these jobs and a next token, and DescribeJobs with them tagged with their callers as the
    /// handler tags them.
    /// </summary>
    private protected sealed class ScriptedListing(params (string Id, string? Caller)[] jobs) : HttpMessageHandler
    {
        public List<(string Path, string Body)> Calls { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
            lock (Calls) Calls.Add((request.RequestUri!.AbsolutePath, body));
            object answer = request.RequestUri.AbsolutePath == "/v1/listjobs"
                ? new { jobSummaryList = jobs.Select(j => new { jobId = j.Id, jobName = "j", status = "RUNNING" }), nextToken = "next-page" }
                : new
                {
                    jobs = JsonDocument.Parse(body).RootElement.GetProperty("jobs").EnumerateArray().Select(id => jobs.Single(j => j.Id == id.GetString())).Select(j => new
                    {
                        jobId = j.Id, jobName = "j", jobQueue = "arn:aws:batch:us-east-1:123456789012:job-queue/training-queue", status = "RUNNING",
                        tags = j.Caller switch
                        {
                            null => new Dictionary<string, string>(),
                            // As the handler tags: readable (sanitized, cut at 256) and the hash of the exact caller.
                            var c => new Dictionary<string, string> { ["aws-model-platform:caller"] = Readable(c), ["aws-model-platform:caller-hash"] = JobVisibilityFilter.CallerHash(c) },
                        },
                    }),
                };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(answer), Encoding.UTF8, "application/json") };
        }
    }

    /// <summary>
    /// Answers DescribeJobs with one job of the caller <c>caller</c> in the given status and queue, tagged with
    /// <see cref="JobTag"/> (this API's unless set); records every call.
    /// </summary>
    private protected sealed class ScriptedBatch(string status, string queueArn) : HttpMessageHandler
    {
        public const string JobId = "0f5b8f1e-8d55-4a43-9d35-0c3c1f0f2f11";
        public List<(string Path, string Body)> Calls { get; } = [];
        public bool Throttle { get; init; }
        public TimeSpan Delay { get; init; }
        public string? JobTag { get; init; } = TrainingTestSupport.JobTag;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
            lock (Calls) Calls.Add((request.RequestUri!.AbsolutePath, body));
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
            if (Throttle)
                return new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("{\"__type\":\"TooManyRequestsException\",\"message\":\"Rate exceeded\"}") };
            var tags = new Dictionary<string, string> { [JobTags.Caller] = "caller", [JobTags.CallerHash] = JobVisibilityFilter.CallerHash("caller") };
            if (JobTag is not null) tags[JobTags.TrainingJobs] = JobTag;
            var json = request.RequestUri.AbsolutePath switch
            {
                "/v1/describejobs" => $"{{\"jobs\":[{{\"jobId\":\"{JobId}\",\"jobName\":\"j\",\"jobQueue\":\"{queueArn}\",\"status\":\"{status}\",\"createdAt\":1,\"tags\":{JsonSerializer.Serialize(tags)}}}]}}",
                "/v1/submitjob" => $"{{\"jobId\":\"{JobId}\",\"jobName\":\"j\"}}",
                _ => "{}",
            };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }
}
