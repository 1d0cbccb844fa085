// A bare forwarding proxy: POST /{path} → UPSTREAM/{path}, body and content type both ways.
var builder = WebApplication.CreateSlimBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]); // as the handler does
builder.Logging.ClearProviders();
var upstream = new HttpClient { BaseAddress = new Uri(builder.Configuration["Upstream"] ?? "http://127.0.0.1:8081/") };
var app = builder.Build();
app.MapGet("/healthz", () => "ok"); // the readiness probe the cold-start measurements poll
app.MapPost("/{**path}", async (string path, HttpContext http) =>
{
    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StreamContent(http.Request.Body) };
    request.Content.Headers.TryAddWithoutValidation("Content-Type", http.Request.ContentType);
    using var response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
    http.Response.StatusCode = (int)response.StatusCode;
    http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
    await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
});
app.Run();
