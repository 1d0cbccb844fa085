using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;

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
    }

    public void Dispose() => Directory.Delete(Feed, recursive: true);
}

public class NuGetPackageTests(PackedLibrary library) : IClassFixture<PackedLibrary>
{
    [Fact]
    public void Pack_succeeds_without_warnings()
    {
        Assert.True(library.Pack.ExitCode == 0, library.Pack.Output + library.Pack.Error);
        Assert.DoesNotContain("warning", library.Pack.Output.Replace("NU1603", ""), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Package_carries_its_readme_xml_docs_and_the_pinned_CDK_dependency()
    {
        using var zip = ZipFile.OpenRead(library.Package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("README.md", entries);
        Assert.Contains("lib/net10.0/AwsModelPlatform.Constructs.dll", entries);
        Assert.Contains("lib/net10.0/AwsModelPlatform.Constructs.xml", entries);

        using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        Assert.Equal("README.md", nuspec.Descendants(ns + "readme").Single().Value);
        var dependencies = nuspec.Descendants(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        Assert.Equal("2.160.0", dependencies["Amazon.CDK.Lib"]);
        Assert.Equal("10.0.5", dependencies["Constructs"]);
    }

    [Fact]
    public void Every_public_member_is_documented_in_the_packaged_xml()
    {
        using var zip = ZipFile.OpenRead(library.Package);
        using var xml = zip.GetEntry("lib/net10.0/AwsModelPlatform.Constructs.xml")!.Open();
        var members = XDocument.Load(xml).Descendants("member").ToList();
        Assert.Contains(members, m => m.Attribute("name")!.Value == "T:AwsModelPlatform.Constructs.Foundation.ModelPlatform");
        Assert.All(members.Where(m => m.Element("inheritdoc") is null),
            m => Assert.False(string.IsNullOrWhiteSpace(m.Element("summary")?.Value), $"{m.Attribute("name")!.Value} has no summary"));
    }

    [Fact]
    public void A_separate_CDK_app_restores_the_package_from_a_folder_feed_and_synthesizes_a_platform()
    {
        var consumer = Directory.CreateTempSubdirectory("amp-consumer-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{library.Feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <NoWarn>NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="AwsModelPlatform.Constructs" Version="{library.Version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
                using Amazon.CDK;
                using AwsModelPlatform.Constructs.Foundation;

                var app = new App(new AppProps { Outdir = "cdk.out" });
                var stack = new Stack(app, "Consumer");
                new ModelPlatform(stack, "Platform", new ModelPlatformProps { ProjectName = "consumer", AlarmEmail = "ops@example.com" });
                app.Synth();
                """);
            var run = Repo.Run("dotnet", new[] { "run" }, consumer, TimeSpan.FromMinutes(8));
            Assert.True(run.ExitCode == 0, run.Output + run.Error);

            var template = JsonNode.Parse(File.ReadAllText(Path.Combine(consumer, "cdk.out", "Consumer.template.json")))!;
            var types = template["Resources"]!.AsObject().Select(r => r.Value!["Type"]!.GetValue<string>()).ToList();
            Assert.Contains("AWS::CloudTrail::Trail", types);
            Assert.Contains("AWS::KMS::Key", types);
            Assert.Contains("AWS::SNS::Subscription", types);
        }
        finally
        {
            Directory.Delete(consumer, recursive: true);
        }
    }
}
