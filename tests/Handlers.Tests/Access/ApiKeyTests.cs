using AwsModelPlatform.Handlers.Access;

namespace AwsModelPlatform.Handlers.Tests.Access;

public class ApiKeyTests
{
    [Fact]
    public void A_new_key_reads_back_and_carries_at_least_128_random_bits()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => ApiKey.New()).ToList();
        Assert.Equal(1000, keys.Select(k => k.Secret).Distinct().Count());
        foreach (var key in keys.Take(50))
        {
            var text = key.ToString();
            Assert.Equal(ApiKey.Length, text.Length);
            Assert.True(ApiKey.TryParse(text, out var parsed));
            Assert.Equal(key, parsed);
            // 43 base64url characters hold 258 bits, of which the 32 random bytes fill 256.
            Assert.Equal(32, Convert.FromBase64String(key.Secret.Replace('-', '+').Replace('_', '/') + "=").Length);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("sk-proj-abcdefghijklmnopqrstuvwxyz")]
    [InlineData("amp_")]
    [InlineData("AMP_abcdefghijkl_0123456789012345678901234567890123456789012")]
    [InlineData("amp_ABCDEFGHIJKL_0123456789012345678901234567890123456789012")]
    [InlineData("amp_abcdefghijkl-0123456789012345678901234567890123456789012")]
    [InlineData("amp_abcdefghijkl_01234567890123456789012345678901234567890+2")]
    [InlineData("amp_abcdefghijkl_0123456789012345678901234567890123456789\u00e91")]
    [InlineData("amp_abcdefghijkl_0123456789012345678901234567890123456789\u00001")]
    [InlineData("amp_abcdefghijkl_01234567890123456789012345678901234567890123")]
    public void Anything_but_a_well_formed_key_is_not_a_key(string text) => Assert.False(ApiKey.TryParse(text, out _));

    [Fact]
    public void Keys_come_as_OpenAI_clients_send_them_or_in_x_api_key()
    {
        var key = ApiKey.New();
        Assert.Equal(key, ApiKey.FromHeaders($"Bearer {key}", null).Key);
        Assert.Equal(key, ApiKey.FromHeaders($"bearer  {key} ", null).Key);
        Assert.Equal(key, ApiKey.FromHeaders(null, key.ToString()).Key);
        Assert.Equal(key, ApiKey.FromHeaders($"Bearer {key}", key.ToString()).Key);
    }

    [Fact]
    public void Missing_malformed_and_conflicting_keys_each_say_what_is_wrong()
    {
        var (a, b) = (ApiKey.New(), ApiKey.New());
        Assert.Same(KeyPresentation.Missing, ApiKey.FromHeaders(null, null));
        Assert.Same(KeyPresentation.Missing, ApiKey.FromHeaders("", ""));
        Assert.Same(KeyPresentation.Malformed, ApiKey.FromHeaders($"Basic {a}", null));
        Assert.Same(KeyPresentation.Malformed, ApiKey.FromHeaders("Bearer " + new string('x', 100_000), null));
        Assert.Same(KeyPresentation.Malformed, ApiKey.FromHeaders(null, a.ToString()[..^1]));
        Assert.Same(KeyPresentation.Conflicting, ApiKey.FromHeaders($"Bearer {a}", b.ToString()));
        Assert.Contains("Authorization: Bearer", KeyPresentation.Missing.Problem);
        Assert.Null(KeyPresentation.Malformed.Key);
    }
}
