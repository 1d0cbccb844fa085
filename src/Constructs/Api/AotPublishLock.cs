namespace AwsModelPlatform.Constructs.Api;

/// <summary>
/// Native AOT publishes of src/Handlers take turns: concurrent ones (a synth, the handler tests, <c>dotnet pack</c>)
/// would share its obj/ folder and corrupt each other. The turn is an exclusive lock on <c>obj/aot-publish.lock</c>
/// (the pack target takes the same file with <c>flock</c>).
/// </summary>
internal static class AotPublishLock
{
    /// <summary>Waits up to 30 minutes for the lock on the project's <c>obj/aot-publish.lock</c>; dispose to release it.</summary>
    public static FileStream Take(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, "obj", "aot-publish.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow.AddMinutes(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }
}
