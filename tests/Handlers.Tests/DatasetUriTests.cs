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

/// <summary>Dataset URIs a submission may name: inside the datasets bucket, and nothing disguised as it.</summary>
public sealed class DatasetUriTests : TrainingTestSupport
{
    [Theory]
    [InlineData("s3://datasets", "s3://datasets/")]
    [InlineData("s3://datasets/", "s3://datasets/")]
    [InlineData("s3://datasets/corpus/v1/part-0001.parquet", "s3://datasets/corpus/v1/part-0001.parquet")]
    [InlineData("s3://datasets/year=2026/(copy)/it's.json", "s3://datasets/year=2026/(copy)/it's.json")]
    public void Dataset_uris_inside_the_bucket_are_accepted(string uri, string expected) => Assert.Equal(expected, DatasetUri.Validate(uri, "datasets"));

    [Theory]
    [InlineData("s3://datasets-other/x")]
    [InlineData("s3://datasetsx")]
    [InlineData("s3://DATASETS/x")]
    [InlineData("s3:/datasets/x")]
    [InlineData("s3:///datasets/x")]
    [InlineData("s3://datasets/./x")]
    [InlineData("s3://datasets/x/..")]
    [InlineData("s3://datasets/x/%2F..%2Fy")]
    [InlineData("s3://datasets/x y")]
    [InlineData("s3://datasets/x#frag")]
    [InlineData("s3://datasets/\u00e9")]
    [InlineData("s3://datasets:443/x")]
    [InlineData(" s3://datasets/x")]
    [InlineData("s3://datasets/x\n")]
    [InlineData("s3://datasets\n")]
    public void Dataset_uris_elsewhere_or_disguised_are_refused(string uri)
    {
        var e = Assert.Throws<ApiProblemException>(() => DatasetUri.Validate(uri, "datasets"));
        Assert.EndsWith("dataset-outside-bucket", e.Problem.Type);
    }
}
