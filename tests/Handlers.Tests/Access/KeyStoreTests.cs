using System.Text;
using Amazon.DynamoDBv2.Model;
using AwsModelPlatform.Handlers.Access;
using Microsoft.Extensions.Time.Testing;

namespace AwsModelPlatform.Handlers.Tests.Access;

/// <summary>The key lifecycle against moto's DynamoDB and KMS: create, use, rotate with overlap, revoke, expire.</summary>
public sealed class KeyStoreTests(AccessMoto moto) : IClassFixture<AccessMoto>
{
    private async Task<(KeyStore Store, string Table, FakeTimeProvider Clock)> NewStoreAsync()
    {
        var table = await moto.NewTableAsync();
        var clock = AccessMoto.Clock();
        return (new KeyStore(moto.Dynamo, table, new KeyMac(moto.Kms, moto.HmacKeyId), clock), table, clock);
    }

    [Fact]
    public async Task A_created_key_authenticates_as_its_team_and_the_table_never_holds_the_key()
    {
        var (store, table, _) = await NewStoreAsync();
        var (key, record) = await store.CreateAsync("research", "notebook", null, default);
        var auth = await store.AuthenticateAsync(key, default);
        Assert.True(auth.Succeeded);
        Assert.Equal(("research", "notebook", key.KeyId), (auth.Record!.Team, auth.Record.Name, auth.Record.KeyId));
        Assert.Equal(record, auth.Record);

        var items = (await moto.Dynamo.ScanAsync(new ScanRequest { TableName = table })).Items;
        var stored = string.Join("|", items.SelectMany(i => i.Values).Select(v => v.S ?? v.N ?? (v.B is { } b ? Encoding.Latin1.GetString(b.ToArray()) : "")));
        Assert.DoesNotContain(key.Secret, stored);
        Assert.DoesNotContain(key.Secret[..16], stored);
        Assert.Equal(32, Assert.Single(items)["mac"].B.Length); // HMAC-SHA-256
    }

    [Fact]
    public async Task A_wrong_secret_an_unknown_id_and_a_key_of_another_id_fail_alike()
    {
        var (store, _, _) = await NewStoreAsync();
        var (key, _) = await store.CreateAsync("research", "a", null, default);
        var (other, _) = await store.CreateAsync("research", "b", null, default);
        Assert.False((await store.AuthenticateAsync(key with { Secret = ApiKey.New().Secret }, default)).Succeeded);
        Assert.False((await store.AuthenticateAsync(ApiKey.New(), default)).Succeeded);
        // The MAC binds the id: other's secret under key's id does not pass.
        Assert.False((await store.AuthenticateAsync(key with { Secret = other.Secret }, default)).Succeeded);
        Assert.True((await store.AuthenticateAsync(other, default)).Succeeded);
    }

    [Fact]
    public async Task A_revoked_key_fails_at_once_and_revoking_twice_keeps_the_first_time()
    {
        var (store, _, clock) = await NewStoreAsync();
        var (key, _) = await store.CreateAsync("research", "a", null, default);
        Assert.True(await store.RevokeAsync(key.KeyId, default));
        Assert.False((await store.AuthenticateAsync(key, default)).Succeeded);
        var revokedAt = (await store.GetAsync(key.KeyId, default))!.RevokedAt;
        clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await store.RevokeAsync(key.KeyId, default));
        Assert.Equal(revokedAt, (await store.GetAsync(key.KeyId, default))!.RevokedAt);
        Assert.False(await store.RevokeAsync(ApiKey.New().KeyId, default));
    }

    [Fact]
    public async Task A_key_with_an_expiry_works_until_then()
    {
        var (store, _, clock) = await NewStoreAsync();
        var (key, _) = await store.CreateAsync("research", "a", clock.GetUtcNow().AddDays(1), default);
        Assert.True((await store.AuthenticateAsync(key, default)).Succeeded);
        clock.Advance(TimeSpan.FromDays(1));
        Assert.False((await store.AuthenticateAsync(key, default)).Succeeded);
        Assert.Equal(KeyState.Expired, (await store.GetAsync(key.KeyId, default))!.StateAt(clock.GetUtcNow()));
    }

    [Fact]
    public async Task Rotation_gives_a_new_key_and_the_old_one_works_for_the_overlap_only()
    {
        var (store, _, clock) = await NewStoreAsync();
        var (old, _) = await store.CreateAsync("research", "ci", null, default);
        var rotated = await store.RotateAsync(old.KeyId, TimeSpan.FromHours(24), default);
        var (fresh, record) = rotated!.Value;
        Assert.Equal(("research", "ci"), (record.Team, record.Name));
        Assert.NotEqual(old.KeyId, fresh.KeyId);
        Assert.True((await store.AuthenticateAsync(old, default)).Succeeded);
        Assert.True((await store.AuthenticateAsync(fresh, default)).Succeeded);
        clock.Advance(TimeSpan.FromHours(24));
        Assert.False((await store.AuthenticateAsync(old, default)).Succeeded);
        Assert.True((await store.AuthenticateAsync(fresh, default)).Succeeded);
        // A key that no longer works cannot be rotated (that would be a way around revocation).
        Assert.Null(await store.RotateAsync(old.KeyId, TimeSpan.FromHours(1), default));
    }

    [Fact]
    public async Task Listing_shows_each_teams_keys_without_secrets()
    {
        var (store, _, clock) = await NewStoreAsync();
        var (a, _) = await store.CreateAsync("research", "a", null, default);
        clock.Advance(TimeSpan.FromSeconds(1));
        var (b, _) = await store.CreateAsync("research", "b", null, default);
        await store.CreateAsync("product", "c", null, default);
        Assert.Equal([a.KeyId, b.KeyId], (await store.ListAsync("research", default)).Select(r => r.KeyId));
        Assert.Equal(3, (await store.ListAsync(null, default)).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("team with spaces")]
    [InlineData("team#other")]
    public async Task A_key_needs_a_valid_team_name(string team)
    {
        var (store, _, _) = await NewStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(team, "a", null, default));
    }
}
