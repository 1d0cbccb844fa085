using AwsModelPlatform.Handlers;

// The configuration is the function's environment and never changes while the process runs: no reload on change, whose
// file watcher would first walk the whole content-root tree (75 ms of a cold start from a large directory, docs/benchmarks.md).
HandlerApp.Build(WebApplication.CreateSlimBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"])).Run();

/// <summary>Visible to tests.</summary>
public partial class Program;
