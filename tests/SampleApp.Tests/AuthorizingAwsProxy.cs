using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using AwsModelPlatform.Handlers.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>One authorization IAM makes for a request: an action on a resource, with the request's context keys.</summary>
public sealed record AuthorizationCheck(string Action, string Resource, JsonObject? Context = null);

/// <summary>What the proxy saw of one call: the operation, whether its signature verified, IAM's decisions.</summary>
public sealed record ProxiedCall(string Operation, bool Signed, IReadOnlyList<PolicyDecision> Decisions, int Status)
{
    public bool Allowed => Signed && Decisions.All(d => d.Allowed);
    public override string ToString() => $"{Operation} signed={Signed} status={Status}: " + string.Join("; ", Decisions.Select(d => $"{d.Action} on {d.Resource}: {d.Result} {d.Detail}"));
}

/// <summary>How one AWS service authorizes a request and how it says no.</summary>
public interface IServiceAuthorization
{
    /// <summary>The SigV4 signing name (<c>batch</c>, <c>kms</c>).</summary>
    string SigningName { get; }

    /// <summary>The operation's name and the authorizations IAM makes for it.</summary>
    Task<(string Operation, IReadOnlyList<AuthorizationCheck> Checks)> ChecksAsync(HttpRequest request, JsonObject body);

    /// <summary>The service's own AccessDenied answer.</summary>
    Task DenyAsync(HttpContext http, string message);
}

/// <summary>
/// An AWS service as its caller sees it, authorization included: the request's SigV4 signature is verified against the
/// handler user's secret, each authorization IAM would make is decided by the <see cref="PolicySimulator"/> on the real
/// ARNs and context keys, and an allowed request is forwarded to moto re-signed as the admin user, so moto does the
/// real work (creates the job, encrypts the secret). Needed because moto's server judges these services only against
/// the resource <c>*</c> and without their condition keys.
/// </summary>
public sealed class AuthorizingAwsProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IServiceAuthorization _service;
    private readonly PolicySimulator _iam;
    private readonly SigV4Verifier _verifier;
    private readonly HttpClient _moto;
    public ConcurrentQueue<ProxiedCall> Calls { get; } = new();
    public Uri Url { get; }

    private AuthorizingAwsProxy(WebApplication app, Uri url, IServiceAuthorization service, PolicySimulator iam, MotoAccount account)
    {
        (_app, Url, _service, _iam) = (app, url, service, iam);
        _verifier = new SigV4Verifier(MotoAccount.Region, service.SigningName, new Dictionary<string, string> { [account.HandlerKey.Id] = account.HandlerKey.Secret });
        _moto = SignedClient(account.Moto.Url, service.SigningName, account.AdminKey);
    }

    public static async Task<AuthorizingAwsProxy> StartAsync(IServiceAuthorization service, PolicySimulator iam, MotoAccount account)
    {
        var (app, url) = TestServers.Create();
        var proxy = new AuthorizingAwsProxy(app, url, service, iam, account);
        app.Map("/{**path}", proxy.HandleAsync);
        await app.StartAsync();
        return proxy;
    }

    /// <summary>A client signing as <paramref name="key"/> for moto (the admin's: setup and forwarding).</summary>
    public static HttpClient SignedClient(Uri moto, string signingName, (string Id, string Secret) key) =>
        new(new SigV4SigningHandler(new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(key.Id, key.Secret),
            Region = RegionEndpoint.GetBySystemName(MotoAccount.Region),
            Service = signingName,
            SignPayload = true,
        }, new SocketsHttpHandler())) { BaseAddress = moto };

    private async Task HandleAsync(HttpContext http)
    {
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy);
        var bytes = copy.ToArray();
        var (signed, errorType, message) = _verifier.Verify(http.Request, bytes, DateTimeOffset.UtcNow);
        var body = bytes.Length > 0 ? JsonNode.Parse(bytes)!.AsObject() : new JsonObject();
        var (operation, checks) = await _service.ChecksAsync(http.Request, body);
        if (!signed)
        {
            Calls.Enqueue(new ProxiedCall(operation, false, [], 403));
            http.Response.StatusCode = 403;
            http.Response.Headers["X-Amzn-ErrorType"] = errorType;
            await http.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["__type"] = errorType, ["message"] = message });
            return;
        }
        var decisions = checks.Select(c => _iam.Decide(c.Action, c.Resource, c.Context)).ToList();
        if (decisions.FirstOrDefault(d => !d.Allowed) is { } denied)
        {
            Calls.Enqueue(new ProxiedCall(operation, true, decisions, 403));
            await _service.DenyAsync(http, $"User: arn:aws:iam::{MotoAccount.Account}:user/handler is not authorized to perform: {denied.Action} on resource: {denied.Resource} because no identity-based policy allows the {denied.Action} action");
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(http.Request.Method), http.Request.Path + http.Request.QueryString) { Content = new ByteArrayContent(bytes) };
        if (http.Request.ContentType is { } type) forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        if (http.Request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target) forward.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        using var answer = await _moto.SendAsync(forward);
        Calls.Enqueue(new ProxiedCall(operation, true, decisions, (int)answer.StatusCode));
        http.Response.StatusCode = (int)answer.StatusCode;
        foreach (var name in new[] { "x-amzn-RequestId", "X-Amzn-ErrorType" })
            if (answer.Headers.TryGetValues(name, out var values)) http.Response.Headers[name] = values.ToArray();
        if (answer.Content.Headers.ContentType is { } contentType) http.Response.ContentType = contentType.ToString();
        await http.Response.Body.WriteAsync(await answer.Content.ReadAsByteArrayAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _moto.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
