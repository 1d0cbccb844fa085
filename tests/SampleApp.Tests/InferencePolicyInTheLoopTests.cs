using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;

namespace AwsModelPlatform.SampleApp.Tests;

[Collection(BuiltSampleApp.Collection)]
public class InferencePolicyInTheLoopTests(BuiltSampleApp app) : IAsyncLifetime
{
    private InferencePolicyLoop L { get; set; } = null!;

    public async Task InitializeAsync() => L = await app.InferenceLoopAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_policy_under_test_is_the_buffered_roles_grant_and_moto_enforces_it()
    {
        var actions = L.Policy["Statement"]!.AsArray().SelectMany(s => s!["Action"] is JsonArray many ? many.Select(a => a!.GetValue<string>()) : new[] { s!["Action"]!.GetValue<string>() }).ToHashSet();
        Assert.Superset(new HashSet<string> { "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream", "s3:PutObject", "s3:GetObject", "kms:GenerateDataKey", "kms:Decrypt" }, actions);
        Assert.DoesNotContain(L.KeyArn, "placeholder");
        Assert.Contains(L.KeyArn, L.Policy.ToJsonString());
        await L.Aws.AssertEnforcedAsync();
    }

    [Fact]
    public void The_streaming_role_grants_the_same_SageMaker_statements_and_nothing_of_S3_or_KMS_but_the_wake_markers_and_the_access_tables_key()
    {
        static IEnumerable<string> Sagemaker(JsonArray statements) => statements.Where(s => s!["Action"]!.ToJsonString().Contains("sagemaker:")).Select(s => s!.ToJsonString());
        Assert.Equal(Sagemaker(L.Policy["Statement"]!.AsArray()), Sagemaker(L.StreamingStatements));
        // S3 and KMS only for the wake markers, and KMS for the access table only through DynamoDB.
        Assert.DoesNotContain(L.StreamingStatements, s => (s!["Action"]!.ToJsonString().Contains("s3:") || s!["Action"]!.ToJsonString().Contains("kms:"))
            && !s.ToJsonString().Contains(L.MarkerBucket, StringComparison.Ordinal)
            && !(s["Action"]!.ToJsonString().Contains("kms:") && (s["Condition"]?.ToJsonString() ?? "").Contains("dynamodb.")));
    }

    [Fact]
    public async Task Sync_invocation_of_the_granted_endpoint_and_inference_component_succeeds()
    {
        using var response = await L.Http.PostAsync("v1/endpoints/llm/invocations", new StringContent("""{"inputs":"hello"}""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await Describe(response));
        Assert.Contains("granted", await response.Content.ReadAsStringAsync());
        var decision = L.SageMaker.Decisions.Last(d => d.Action == "sagemaker:InvokeEndpoint" && d.Endpoint.StartsWith("inference-llm"));
        Assert.True(decision.Signed && decision.Permitted, decision.ToString());
        Assert.Contains(decision.Resources, r => r.Contains(":inference-component/")); // the configured component was targeted and granted
    }

    [Fact]
    public async Task Streamed_chat_completion_of_the_granted_endpoint_succeeds()
    {
        var body = """{"model":"llm","messages":[{"role":"user","content":"hi"}],"stream":true}""";
        using var response = await L.Http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, await Describe(response, text));
        Assert.Contains("granted", text);
        Assert.Contains("[DONE]", text);
        Assert.Contains(L.SageMaker.Decisions, d => d.Action == "sagemaker:InvokeEndpointWithResponseStream" && d.Permitted);
    }

    [Fact]
    public async Task Async_invocation_puts_input_and_record_under_the_platform_key_invokes_async_and_reads_the_result()
    {
        using var accepted = await L.Http.PostAsync("v1/endpoints/llm_async/async-invocations", new StringContent("""{"inputs":"long job"}""", Encoding.UTF8, "application/json"));
        var acceptedBody = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await Describe(accepted, acceptedBody));
        var id = JsonNode.Parse(acceptedBody)!["id"]!.GetValue<string>();
        Assert.Contains(L.SageMaker.Decisions, d => d.Action == "sagemaker:InvokeEndpointAsync" && d.Permitted);

        // The handler wrote the input and the record in the endpoint's bucket, SSE-KMS with the platform key (read as admin).
        using (var admin = L.S3(L.Aws.AdminKey))
        {
            foreach (var key in new[] { $"async-input/inputs/{id}", $"async-input/requests/{id}.json" })
            {
                var head = await admin.GetObjectMetadataAsync(L.DataBucket, key);
                Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
                Assert.Equal(L.KeyArn, head.ServerSideEncryptionKeyManagementServiceKeyId);
            }
        }

        // The status route reads the record (async-input/) and the result (async-output/) with the handler's keys.
        using var status = await L.Http.GetAsync($"v1/async-invocations/{id}");
        var statusBody = await status.Content.ReadAsStringAsync();
        Assert.True(status.StatusCode == HttpStatusCode.OK, await Describe(status, statusBody));
        Assert.Equal("completed", JsonNode.Parse(statusBody)!["status"]!.GetValue<string>());
        Assert.Contains("async granted", statusBody);
    }

    [Fact]
    public async Task A_pending_request_answers_202_pending_because_the_role_may_list_the_result_prefixes()
    {
        using var submit = new HttpRequestMessage(HttpMethod.Post, "v1/endpoints/llm_async/async-invocations")
        {
            Content = new StringContent("""{"inputs":"still running"}""", Encoding.UTF8, "application/json"),
        };
        submit.Headers.Add("X-Amzn-SageMaker-Inference-Id", AuthorizingSageMakerRuntime.PendingInferenceIdPrefix + Guid.NewGuid().ToString("N"));
        using var accepted = await L.Http.SendAsync(submit);
        var acceptedBody = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await Describe(accepted, acceptedBody));
        var id = JsonNode.Parse(acceptedBody)!["id"]!.GetValue<string>();

        using var status = await L.Http.GetAsync($"v1/async-invocations/{id}");
        var statusBody = await status.Content.ReadAsStringAsync();
        Assert.True(status.StatusCode == HttpStatusCode.Accepted, await Describe(status, statusBody));
        Assert.Equal("pending", JsonNode.Parse(statusBody)!["status"]!.GetValue<string>());
        // S3 told the role "missing" (404) for the result and the failure only because the role may list their prefixes.
        foreach (var prefix in new[] { "async-output/", "async-failures/" })
        {
            var read = L.StrictS3.MissingKeyReads.Last(r => r.Key.StartsWith(prefix, StringComparison.Ordinal));
            Assert.True(read.Status == 404 && read.ListDecision is { Allowed: true }, read.ToString());
        }
    }

    [Fact]
    public async Task An_unknown_id_is_404_not_a_denial()
    {
        var unknown = Guid.NewGuid().ToString("N");
        using var status = await L.Http.GetAsync($"v1/async-invocations/{unknown}");
        var body = await status.Content.ReadAsStringAsync();
        Assert.True(status.StatusCode == HttpStatusCode.NotFound, await Describe(status, body));
        Assert.Contains("/problems/not-found", body);
        var read = L.StrictS3.MissingKeyReads.Last(r => r.Key == $"async-input/requests/{unknown}.json");
        Assert.True(read.Status == 404 && read.ListDecision is { Allowed: true }, read.ToString());
    }

    [Fact]
    public async Task A_first_idempotent_submission_is_accepted_and_its_retry_replays_it()
    {
        var key = Guid.NewGuid().ToString();
        async Task<(HttpResponseMessage Response, string Body)> Submit()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/endpoints/llm_async/async-invocations")
            {
                Content = new StringContent("""{"inputs":"exactly once"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", key);
            var response = await L.Http.SendAsync(request);
            return (response, await response.Content.ReadAsStringAsync());
        }

        var (first, firstBody) = await Submit();
        Assert.True(first.StatusCode == HttpStatusCode.Accepted, await Describe(first, firstBody));
        var id = JsonNode.Parse(firstBody)!["id"]!.GetValue<string>();
        // The first submission looked for an earlier record under the key: S3 said "missing", not "denied".
        var lookup = L.StrictS3.MissingKeyReads.Last(r => r.Key == $"async-input/requests/{id}.json");
        Assert.True(lookup.Status == 404 && lookup.ListDecision is { Allowed: true }, lookup.ToString());

        var (retry, retryBody) = await Submit();
        Assert.True(retry.StatusCode == HttpStatusCode.Accepted, await Describe(retry, retryBody));
        Assert.Equal(id, JsonNode.Parse(retryBody)!["id"]!.GetValue<string>());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task Where_S3_judges_a_missing_key_without_its_prefix_the_handler_confirms_it_by_listing_exactly_that_key()
    {
        // AWS does not document the s3:prefix of the implicit listing check S3 makes for a missing key. If it is none,
        // the prefix-scoped grant yields 403 for every pending result and unknown id: the handler must still answer
        // "pending" and 404, by a listing S3 documents (s3:prefix = the key), and nothing broader.
        L.StrictS3.ImplicitListCheckSeesTheKey = false;
        try
        {
            using var submit = new HttpRequestMessage(HttpMethod.Post, "v1/endpoints/llm_async/async-invocations")
            {
                Content = new StringContent("""{"inputs":"still running"}""", Encoding.UTF8, "application/json"),
            };
            submit.Headers.Add("X-Amzn-SageMaker-Inference-Id", AuthorizingSageMakerRuntime.PendingInferenceIdPrefix + Guid.NewGuid().ToString("N"));
            using var accepted = await L.Http.SendAsync(submit);
            var id = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            using var pending = await L.Http.GetAsync($"v1/async-invocations/{id}");
            var pendingBody = await pending.Content.ReadAsStringAsync();
            Assert.True(pending.StatusCode == HttpStatusCode.Accepted, await Describe(pending, pendingBody));

            var unknown = Guid.NewGuid().ToString("N");
            using var missing = await L.Http.GetAsync($"v1/async-invocations/{unknown}");
            Assert.True(missing.StatusCode == HttpStatusCode.NotFound, await Describe(missing, await missing.Content.ReadAsStringAsync()));

            var refused = L.StrictS3.MissingKeyReads.Last(r => r.Key == $"async-input/requests/{unknown}.json");
            Assert.True(refused.Status == 403, refused.ToString());
            var listing = L.StrictS3.Listings.Last(l => l.Key == $"async-input/requests/{unknown}.json");
            Assert.True(listing.ListDecision is { Allowed: true }, listing.ToString());
            // It lists only exact keys S3 refused to confirm missing, nothing broader.
            Assert.All(L.StrictS3.Listings, l => Assert.Contains(L.StrictS3.MissingKeyReads, r => r.Key == l.Key && r.Status == 403));
        }
        finally
        {
            L.StrictS3.ImplicitListCheckSeesTheKey = true;
        }
    }

    [Fact]
    public async Task A_missing_record_the_role_may_not_list_is_a_502_denial_not_an_unknown_id()
    {
        // The same role and keys, records under a prefix the role may read (async-input/*) but not list: S3 answers a
        // missing record with 403, and the handler must not take that for "no such request".
        using var handler = await L.StartHandlerAsync(new Dictionary<string, string>(L.Configuration) { ["Inference__Async__Prefix"] = "async-input/unlisted" });
        var unknown = Guid.NewGuid().ToString("N");
        using var status = await handler.Http.GetAsync($"v1/async-invocations/{unknown}");
        var body = await status.Content.ReadAsStringAsync();
        Assert.True(status.StatusCode == HttpStatusCode.BadGateway, $"{(int)status.StatusCode} {body}\nhandler:\n{handler.Log()}");
        Assert.Contains("/problems/upstream-auth", body);
        Assert.Contains("AccessDenied", body);
        var read = L.StrictS3.MissingKeyReads.Last(r => r.Key == $"async-input/unlisted/requests/{unknown}.json");
        Assert.True(read.Status == 403 && read.ListDecision is { Allowed: false }, read.ToString());
        // The listing the handler then tries, to tell a missing key from a denial, is refused too.
        var listing = L.StrictS3.Listings.Last(l => l.Key == $"async-input/unlisted/requests/{unknown}.json");
        Assert.True(listing.Status == 403, listing.ToString());
    }

    [Fact]
    public async Task The_async_model_is_served_on_the_async_routes_and_refused_with_a_problem_on_the_others()
    {
        // SageMaker serves an async endpoint only through InvokeEndpointAsync: the handler says so before calling it.
        var endpoint = L.EndpointOf("llm_async");
        var before = L.SageMaker.Decisions.Count(d => d.Endpoint == endpoint);
        foreach (var route in new[] { "invocations", "invocations-stream" })
        {
            using var response = await L.Http.PostAsync($"v1/endpoints/llm_async/{route}", new StringContent("""{"inputs":"x"}""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await Describe(response, body));
            Assert.Contains("/problems/invocation-not-supported", body);
        }
        using var chat = await L.Http.PostAsync("v1/chat/completions", new StringContent("""{"model":"llm_async","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, chat.StatusCode);
        Assert.Equal(before, L.SageMaker.Decisions.Count(d => d.Endpoint == endpoint));
    }

    [Fact]
    public void The_role_may_use_the_platform_key_only_through_S3_and_no_other_key()
    {
        // What S3 asks KMS on the caller's behalf for SSE-KMS writes and reads (moto's S3 does not ask), decided with
        // the role policy and the platform key's policy.
        var throughS3 = new JsonObject { ["kms:ViaService"] = $"s3.{InferencePolicyLoop.Region}.amazonaws.com" };
        Assert.True(L.Iam.Decide("kms:GenerateDataKey", L.KeyArn, throughS3).Allowed);
        Assert.True(L.Iam.Decide("kms:Decrypt", L.KeyArn, throughS3).Allowed);
        // Not directly, not through another service, not another key, not another operation.
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:Decrypt", L.KeyArn).Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:Decrypt", L.KeyArn, new JsonObject { ["kms:ViaService"] = $"sqs.{InferencePolicyLoop.Region}.amazonaws.com" }).Result);
        var otherKey = $"arn:aws:kms:{InferencePolicyLoop.Region}:{InferencePolicyLoop.Account}:key/00000000-0000-0000-0000-000000000000";
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:GenerateDataKey", otherKey, throughS3).Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("kms:Encrypt", L.KeyArn, throughS3).Result);
    }

    [Fact]
    public async Task An_endpoint_outside_the_grant_is_refused()
    {
        using var response = await L.Http.PostAsync("v1/endpoints/intruder/invocations", new StringContent("""{"inputs":"x"}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("upstream-auth", body);
        var decision = L.SageMaker.Decisions.Last(d => d.Endpoint == "not-granted-endpoint");
        Assert.True(decision.Signed, "the handler signed with the user's keys");
        Assert.False(decision.Permitted, decision.ToString());
        // Nor any other operation on it, nor the granted endpoint's other components.
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("sagemaker:InvokeEndpointAsync", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/not-granted-endpoint").Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("sagemaker:InvokeEndpoint", $"arn:aws:sagemaker:us-east-1:{InferencePolicyLoop.Account}:inference-component/someone-elses-component").Result);
    }

    [Fact]
    public void The_handler_may_wake_the_scale_to_zero_models_own_inference_component_and_no_other()
    {
        // The component the sample's "llm" model targets, as the function's configuration names it.
        var key = L.Configuration.Single(c => c.Key.StartsWith("Inference__Models__", StringComparison.Ordinal) && c.Key.EndsWith("__Name", StringComparison.Ordinal) && c.Value == "llm").Key;
        var component = L.Configuration[key[..^"Name".Length] + "InferenceComponentName"];
        var prefix = $"arn:aws:sagemaker:{InferencePolicyLoop.Region}:{InferencePolicyLoop.Account}:";
        foreach (var action in new[] { "sagemaker:UpdateInferenceComponentRuntimeConfig", "sagemaker:DescribeInferenceComponent" })
        {
            var own = L.Iam.Decide(action, prefix + "inference-component/" + component.ToLowerInvariant());
            Assert.True(own.Allowed, own.ToString());
            Assert.Equal("ImplicitlyDenied", L.Iam.Decide(action, prefix + "inference-component/someone-elses-component").Result);
        }
        // Nothing else of the control plane: not the endpoint's capacity, not the component itself.
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("sagemaker:UpdateEndpointWeightsAndCapacities", prefix + "endpoint/" + L.EndpointOf("llm").ToLowerInvariant()).Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("sagemaker:UpdateInferenceComponent", prefix + "inference-component/" + component.ToLowerInvariant()).Result);
    }

    [Fact]
    public async Task The_wake_marker_put_is_allowed_under_the_marker_prefix_of_the_APIs_marker_bucket_and_refused_elsewhere()
    {
        // The handler's default marker prefix ("wake", WakeSettings.MarkerPrefix): the template leaves it to the handler.
        Assert.DoesNotContain("Inference__Wake__MarkerPrefix", L.Configuration.Keys);
        var marker = $"wake/llm/{DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 120}";
        Assert.Equal(HttpStatusCode.OK, await L.Aws.PutAsHandlerAsync(L.MarkerBucket, marker));
        // Not beside the markers, not in another bucket, not under the marker prefix of the endpoint's data bucket.
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.MarkerBucket, "not-a-marker"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.MarkerBucket, "wakeful/llm/1"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(InferencePolicyLoop.OtherBucket, marker));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.DataBucket, marker));
        // Markers are written, never read or deleted.
        var bucketArn = $"arn:aws:s3:::{L.MarkerBucket}";
        Assert.True(L.Iam.Decide("s3:PutObject", $"{bucketArn}/{marker}").Allowed);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("s3:GetObject", $"{bucketArn}/{marker}").Result);
        Assert.Equal("ImplicitlyDenied", L.Iam.Decide("s3:DeleteObject", $"{bucketArn}/{marker}").Result);

        // The streaming function gets the same marker grant: it wakes the model for the streams that wait.
        Assert.Contains(L.StreamingStatements, s => s!["Action"]!.ToJsonString() == "\"s3:PutObject\"" && s["Resource"]!.ToJsonString().Contains(L.MarkerBucket + "/wake/*"));
    }

    [Fact]
    public void The_streaming_role_may_use_the_platform_key_only_as_S3_asks_for_it_for_the_marker_bucket()
    {
        // The streaming role's only KMS grant is the marker bucket's: with an S3 Bucket Key, S3 asks KMS on the role's
        // behalf with the bucket's ARN as aws:s3:arn. simulate-service.mjs evaluates kms:EncryptionContext:* keys
        // (iam-simulate's checked entry point drops them), with the role's statements and the platform key's policy.
        var policy = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = L.StreamingStatements.DeepClone() };
        var keyPolicy = new Intrinsics(L.App.Foundation, null, InferencePolicyLoop.Account, InferencePolicyLoop.Region, L.KeyArn).KeyPolicy();
        using var iam = new PolicySimulator($"arn:aws:iam::{InferencePolicyLoop.Account}:role/streaming", InferencePolicyLoop.Account, policy,
            new Dictionary<string, JsonObject> { [L.KeyArn] = keyPolicy }, "simulate-service.mjs");
        var viaS3 = $"s3.{InferencePolicyLoop.Region}.amazonaws.com";
        JsonObject Context(string bucket, string? via = null) => new() { ["kms:ViaService"] = via ?? viaS3, ["kms:EncryptionContext:aws:s3:arn"] = $"arn:aws:s3:::{bucket}" };
        foreach (var action in new[] { "kms:GenerateDataKey", "kms:Decrypt" })
        {
            var granted = iam.Decide(action, L.KeyArn, Context(L.MarkerBucket));
            Assert.True(granted.Allowed, granted.ToString());
            // Not for another bucket's objects (the endpoint's data bucket included), not other than through S3.
            Assert.Equal("ImplicitlyDenied", iam.Decide(action, L.KeyArn, Context(L.DataBucket)).Result);
            Assert.Equal("ImplicitlyDenied", iam.Decide(action, L.KeyArn, Context(InferencePolicyLoop.OtherBucket)).Result);
            Assert.Equal("ImplicitlyDenied", iam.Decide(action, L.KeyArn, Context(L.MarkerBucket, $"sqs.{InferencePolicyLoop.Region}.amazonaws.com")).Result);
        }
        Assert.Equal("ImplicitlyDenied", iam.Decide("kms:Encrypt", L.KeyArn, Context(L.MarkerBucket)).Result);
    }

    [Fact]
    public async Task Another_bucket_and_other_prefixes_of_the_endpoint_bucket_are_refused()
    {
        Assert.Equal(HttpStatusCode.OK, await L.Aws.PutAsHandlerAsync(L.DataBucket, "async-input/inputs/direct-check"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(InferencePolicyLoop.OtherBucket, "async-input/inputs/x"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.DataBucket, "async-output/forged.out"));
        Assert.Equal(HttpStatusCode.Forbidden, await L.Aws.PutAsHandlerAsync(L.DataBucket, "data-capture/x"));
        using var handler = L.S3(L.Aws.HandlerKey);
        var read = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => handler.GetObjectAsync(L.DataBucket, "data-capture/x"));
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);

        // The handler itself, pointed at another bucket with the same keys, cannot accept an async request.
        using var misconfigured = await L.StartHandlerAsync(new Dictionary<string, string>(L.Configuration) { ["Inference__Async__Bucket"] = InferencePolicyLoop.OtherBucket });
        using var response = await misconfigured.Http.PostAsync("v1/endpoints/llm_async/async-invocations", new StringContent("""{"inputs":"x"}""", Encoding.UTF8, "application/json"));
        Assert.True((int)response.StatusCode >= 500, await Describe(response));
        Assert.DoesNotContain(L.SageMaker.Decisions, d => d.Action == "sagemaker:InvokeEndpointAsync" && !d.Permitted);
    }

    private async Task<string> Describe(HttpResponseMessage response, string? body = null) =>
        $"{(int)response.StatusCode} {body ?? await response.Content.ReadAsStringAsync()}\nhandler:\n{L.Handler.Log()}";
}

