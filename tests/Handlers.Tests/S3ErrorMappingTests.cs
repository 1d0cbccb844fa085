using System.Text;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AwsModelPlatform.Handlers.Tests;

public sealed class S3ErrorMappingTests
{
    private static readonly RequestContext Context = new() { RequestId = "req-1", Caller = "tester" };

    [Theory]
    [InlineData(System.Net.HttpStatusCode.Forbidden, "AccessDenied", 502, "upstream-auth", false)]
    [InlineData(System.Net.HttpStatusCode.ServiceUnavailable, "SlowDown", 503, "upstream-unavailable", true)]
    [InlineData(System.Net.HttpStatusCode.InternalServerError, "InternalError", 502, "upstream-error", false)]
    public void A_failed_S3_call_is_a_problem_naming_S3_with_its_request_id_never_a_bare_500(System.Net.HttpStatusCode s3Status, string code, int status, string slug, bool retryAfter)
    {
        var error = new Amazon.S3.AmazonS3Exception("refused", Amazon.Runtime.ErrorType.Sender, code, "s3-request-9", s3Status);
        var (problem, retry) = RequestPipelineMiddleware.Map(error, Context);
        Assert.Equal(status, problem.Status);
        Assert.EndsWith("/" + slug, problem.Type);
        Assert.Equal("s3-request-9", problem.UpstreamRequestId);
        Assert.Equal(code, problem.ErrorType);
        Assert.Equal(retryAfter, retry is not null);
    }

    [Fact]
    public void Network_and_SDK_failures_are_502_problems_not_a_bare_500()
    {
        var kms = new Amazon.Runtime.AmazonServiceException("denied", Amazon.Runtime.ErrorType.Sender, "AccessDeniedException", "kms-request-3", System.Net.HttpStatusCode.BadRequest);
        var (fromKms, _) = RequestPipelineMiddleware.Map(kms, Context);
        Assert.Equal((502, "kms-request-3", "AccessDeniedException"), (fromKms.Status, fromKms.UpstreamRequestId, fromKms.ErrorType));
        Assert.EndsWith("/upstream-error", fromKms.Type);
        foreach (var error in new Exception[] { new HttpRequestException("Connection refused (s3.amazonaws.com:443)"), new Amazon.Runtime.AmazonClientException("No response") })
        {
            var (problem, _) = RequestPipelineMiddleware.Map(error, Context);
            Assert.Equal(502, problem.Status);
            Assert.EndsWith("/upstream-unreachable", problem.Type);
            Assert.Contains(error.Message, problem.Detail);
        }
    }
}
