using AwsModelPlatform.Handlers;
using AwsModelPlatform.Handlers.Hosting;
using AwsModelPlatform.Handlers.Inference;
using AwsModelPlatform.Handlers.Training;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddHandlerHosting();
var groups = RouteGroups.Select(builder.Configuration, new InferenceModule(), new TrainingModule());
foreach (var group in groups) group.AddServices(builder.Services, builder.Configuration);

var app = builder.Build();
app.UseMiddleware<RequestPipelineMiddleware>();
app.MapGet("/healthz", () => TypedResults.Json(new Health("ok"), HandlerJsonContext.Default.Health)).WithName("Health").WithTags("Health");
app.MapOpenApi();
foreach (var group in groups) group.Map(app);
app.Run();

/// <summary>Visible to tests.</summary>
public partial class Program;
