using AwsModelPlatform.Handlers;

HandlerApp.Build(WebApplication.CreateSlimBuilder(args)).Run();

/// <summary>Visible to tests.</summary>
public partial class Program;
