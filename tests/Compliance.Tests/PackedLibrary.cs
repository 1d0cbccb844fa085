namespace AwsModelPlatform.Compliance.Tests;

/// <summary>
/// The NuGet package as a user gets it: packed, restored from a folder feed into a separate CDK app, synthesized.
/// Each run packs a unique pre-release version so the machine's package cache never serves an older build.
/// </summary>
public sealed class PackedLibrary : IDisposable
{
    public string Feed { get; } = Directory.CreateTempSubdirectory("amp-feed-").FullName;
    public string Version { get; } = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
    public Repo.Result Pack { get; }
    public string Package => Path.Combine(Feed, $"AwsModelPlatform.Constructs.{Version}.nupkg");

    public PackedLibrary()
    {
        Pack = Repo.Run("dotnet", new[] { "pack", Repo.Path("src", "Constructs", "AwsModelPlatform.Constructs.csproj"), "-c", "Release", "-o", Feed, $"-p:Version={Version}" },
            Repo.Root, TimeSpan.FromMinutes(8));
        _matrix = new Lazy<ConfigurationMatrix>(() => new ConfigurationMatrix(this));
    }

    private readonly Lazy<ConfigurationMatrix> _matrix;

    /// <summary>The configuration matrix built on this package (tests/Compliance.Tests/matrix), synthesized when first asked for.</summary>
    public ConfigurationMatrix Matrix => _matrix.Value;

    public void Dispose()
    {
        if (_matrix.IsValueCreated) _matrix.Value.Dispose();
        Directory.Delete(Feed, recursive: true);
    }

    /// <summary>A NuGet.config that adds the feed to the machine's sources.</summary>
    public void WriteNuGetConfig(string directory) => File.WriteAllText(Path.Combine(directory, "NuGet.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="local" value="{Feed}" />
          </packageSources>
        </configuration>
        """);

    /// <summary>A project outside the repository that references one package of the test feed at the packed version.</summary>
    public string Project(string packageReference, string properties) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <NoWarn>NU1603</NoWarn>
            {properties}
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="{packageReference}" Version="{Version}" />
          </ItemGroup>
        </Project>
        """;
}

/// <summary>The tests that use the packed package share one pack (and one AOT handler build).</summary>
[CollectionDefinition(Name)]
public sealed class PackedLibraryCollection : ICollectionFixture<PackedLibrary>
{
    public const string Name = "Packed library";
}
