using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using AwsModelPlatform.Handlers.Tests.Fakes;
using static AwsModelPlatform.Handlers.Tests.TestHelpers;

namespace AwsModelPlatform.Handlers.Tests;

/// <summary>
/// The Lambda artifact itself: <c>dotnet publish -r linux-x64 -c Release</c> with Native AOT must produce a
/// <c>bootstrap</c> executable with no trimming or AOT warnings, and that native binary must serve the routes
/// (reflection-only code paths that pass under JIT fail here).
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class NativeAotTests(HandlerFixture f)
{
    [Fact]
    public async Task Aot_publish_is_warning_free_and_the_native_bootstrap_serves_the_routes()
    {
        var project = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(HandlerFixture.HandlerAssembly)!, "../../../AwsModelPlatform.Handlers.csproj"));
        Assert.True(File.Exists(project), project);
        var output = Path.Combine(Path.GetTempPath(), "handlers-aot-" + Guid.NewGuid().ToString("N"));
        try
        {
            var publish = new ProcessStartInfo("dotnet", ["publish", project, "-r", "linux-x64", "-c", "Release", "-o", output, "-nologo", "-clp:NoSummary"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // The same lock file as the constructs' HandlerCode.FromProject publish (src/Constructs/Api/HandlerCode.cs): an
            // InferenceApi synthesized by another test assembly at the same time would write the same obj/ folder.
            using (AwsModelPlatform.Constructs.Api.AotPublishLock.Take(Path.GetDirectoryName(project)!))
            using (var p = Process.Start(publish)!)
            {
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                Assert.True(p.WaitForExit(900_000), "dotnet publish took over 15 minutes");
                var log = await stdout + await stderr;
                Assert.True(p.ExitCode == 0, log);
                var warnings = log.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToList();
                Assert.True(warnings.Count == 0, "publish warnings:\n" + string.Join("\n", warnings));
            }
            var bootstrap = Path.Combine(output, "bootstrap");
            Assert.True(File.Exists(bootstrap), "no bootstrap executable in " + output);
            Assert.False(File.Exists(Path.Combine(output, "bootstrap.dll")), "the output is not a native executable");

            var env = new Dictionary<string, string>(f.AwsEnvironment(f.Moto.Url))
            {
                ["Inference__Async__Bucket"] = HandlerFixture.Bucket,
                ["Inference__Async__Prefix"] = "aot",
            };
            AddModels(env, Model("echo", "echo"), Model("sse", "sse"), Model("chat", "llm") with { Protocol = ModelProtocols.OpenAi }, Model("broken", "stream-bad-crc"));
            TrainingMoto.Configure(env, f.Moto.Url, f.KmsKeyId);
            var (process, url) = await HandlerFixture.StartHandlerAsync(env, new ConcurrentQueue<string>(), bootstrap);
            try
            {
                // Every request comes from one IAM caller, as through API Gateway: the training routes need one (Caller visibility).
                using var http = ClientAs(url, "arn:aws:iam::123456789012:user/aot");
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi/v1.json")).StatusCode);
                using var sync = await http.PostAsync("/v1/endpoints/echo/invocations", Body("{\"aot\":true}"));
                Assert.Equal("{\"aot\":true}", await sync.Content.ReadAsStringAsync());
                using var stream = await http.PostAsync("/v1/endpoints/sse/invocations-stream", Body("{}"));
                Assert.Equal("data: alpha\n\ndata: beta\n\ndata: gamma\n\ndata: delta\n\n", await stream.Content.ReadAsStringAsync());
                using var chat = await http.PostAsync("/v1/chat/completions", Body("{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
                Assert.EndsWith("data: [DONE]\n\n", await chat.Content.ReadAsStringAsync());
                using var broken = await http.PostAsync("/v1/endpoints/broken/invocations-stream", Body("{}"));
                Assert.Contains("InvalidFrame", await broken.Content.ReadAsStringAsync());
                using var bad = await http.PostAsync("/v1/endpoints/echo/invocations", Body("{\"x\":"));
                await AssertProblemAsync(bad, 400, "malformed-json");
                using var submitted = await http.PostAsync("/v1/endpoints/echo/async-invocations", Body("{\"aot\":\"async\"}"));
                Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
                using var status = await http.GetAsync(submitted.Headers.Location);
                Assert.True(status.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK);

                // Training: KMS-encrypted secrets, the conditional idempotency record, Batch over SigV4, list (described and
                // filtered to the caller's jobs) and describe.
                var jobName = "aot-" + Guid.NewGuid().ToString("N")[..12];
                using var submit = new HttpRequestMessage(HttpMethod.Post, "/v1/training-jobs")
                {
                    Content = Body($"{{\"name\":\"{jobName}\",\"definition\":\"finetune\",\"gpus\":1,\"hyperparameters\":{{\"lr\":\"0.1\"}},\"secrets\":{{\"TOKEN\":\"aot-secret\"}}}}"),
                };
                submit.Headers.Add("Idempotency-Key", jobName);
                using var job = await http.SendAsync(submit);
                Assert.True(job.StatusCode == HttpStatusCode.Created, await job.Content.ReadAsStringAsync());
                using var described = await http.GetAsync(job.Headers.Location);
                Assert.Contains(jobName, await described.Content.ReadAsStringAsync());
                using var listed = await http.GetAsync("/v1/training-jobs?status=SUCCEEDED");
                Assert.Contains(jobName, await listed.Content.ReadAsStringAsync());
                using var refused = await http.PostAsync("/v1/training-jobs", Body("{\"name\":\"x\",\"definition\":\"finetune\",\"datasetUri\":\"s3://other-bucket/x\"}"));
                await AssertProblemAsync(refused, 400, "dataset-outside-bucket");
            }
            finally
            {
                HandlerFixture.Stop(process);
            }
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}
