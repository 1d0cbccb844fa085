namespace AwsModelPlatform.SampleApp.Tests;

/// <summary>Starting a loop of processes and servers: what started before a failure is stopped again.</summary>
public static class Started
{
    public static async Task<T> InitializedAsync<T>(T loop, Func<T, Task> initialize) where T : IAsyncDisposable
    {
        try
        {
            await initialize(loop);
            return loop;
        }
        catch
        {
            await loop.DisposeAsync();
            throw;
        }
    }
}
