using AwsModelPlatform.Handlers;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddHandlerHosting();
var groups = RouteGroups.Select(builder.Configuration, new InferenceModule());
foreach (var group in groups) group.AddServices(builder.Services, builder.Configuration);

var app = builder.Build();
app.UseMiddleware<RequestPipelineMiddleware>();
app.MapGet("/healthz", () => TypedResults.Json(new Health("ok"), HandlerJsonContext.Default.Health)).WithName("Health").WithTags("Health");
app.MapOpenApi();
foreach (var group in groups) group.Map(app);
app.Run();

/// <summary>Visible to tests.</summary>
public partial class Program;
