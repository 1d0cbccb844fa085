using Amazon.Runtime;
using AwsModelPlatform.Handlers.Hosting;

namespace AwsModelPlatform.Handlers.Training;

/// <summary>Calls of S3 and KMS on the submission path, their failures as problems naming the service.</summary>
internal static class AwsCall
{
    /// <summary>
    /// <paramref name="call"/>, or 502/503 <see cref="Problems.Types.UpstreamError"/> (their messages carry no request data) and
    /// 502 <see cref="Problems.Types.UpstreamUnreachable"/>. An S3 404 passes through: the stores read it as "no record".
    /// </summary>
    public static async Task<T> RunAsync<T>(string service, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException e) when (e is not Amazon.S3.AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.NotFound })
        {
            throw new ApiProblemException(Problems.FromAws(service, e));
        }
        catch (HttpRequestException)
        {
            throw new ApiProblemException(Problems.Unreachable(service));
        }
    }
}
