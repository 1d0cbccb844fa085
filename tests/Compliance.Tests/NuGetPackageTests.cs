using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace AwsModelPlatform.Compliance.Tests;

[Collection(PackedLibraryCollection.Name)]
public class NuGetPackageTests(PackedLibrary library)
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
        Assert.Contains("buildTransitive/AwsModelPlatform.Constructs.targets", entries);

        using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        Assert.Equal("README.md", nuspec.Descendants(ns + "readme").Single().Value);
        var dependencies = nuspec.Descendants(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        Assert.Equal("2.160.0", dependencies["Amazon.CDK.Lib"]);
        Assert.Equal("10.0.5", dependencies["Constructs"]);
    }

    [Fact]
    public void Package_carries_the_handler_as_an_x86_64_Linux_executable()
    {
        using var zip = ZipFile.OpenRead(library.Package);
        var bootstrap = zip.GetEntry("handler/linux-x64/bootstrap");
        Assert.NotNull(bootstrap);
        var header = new byte[20];
        using (var stream = bootstrap!.Open()) stream.ReadExactly(header);
        Assert.Equal(Elf, header[..4]);
        Assert.Equal(2, header[4]); // ELFCLASS64
        Assert.Equal(0x3E, BitConverter.ToUInt16(header, 18)); // EM_X86_64: the package carries no arm64 build
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
    public void A_separate_CDK_app_restores_the_package_and_synthesizes_a_platform_and_its_APIs_with_the_packaged_handler()
    {
        // The configuration matrix is that app (tests/Compliance.Tests/matrix/Program.cs), outside the repository:
        // FindProject finds no src/Handlers there, so the handler can only come from the package.
        var configuration = library.Matrix.Get("agnostic-one-stack");
        var template = JsonNode.Parse(File.ReadAllText(configuration.Templates["App"]))!;
        var assembly = Path.GetDirectoryName(configuration.Templates["App"])!;
        var resources = template["Resources"]!.AsObject().Select(r => r.Value!).ToList();
        var types = resources.Select(r => r["Type"]!.GetValue<string>()).ToList();
        Assert.Contains("AWS::CloudTrail::Trail", types);
        Assert.Contains("AWS::KMS::Key", types);
        Assert.Contains("AWS::SNS::Subscription", types);
        Assert.Contains("AWS::ApiGateway::RestApi", types);

        // Every handler function runs one asset: the packaged bootstrap, alone, made executable for Lambda's sandbox user.
        var keys = resources.Where(r => r["Type"]!.GetValue<string>() == "AWS::Lambda::Function" && r["Properties"]!["Handler"]?.GetValue<string>() == "bootstrap")
            .Select(r => r["Properties"]!["Code"]!["S3Key"]!.GetValue<string>()).ToList();
        Assert.Equal(3, keys.Count); // the inference API's buffered and streaming functions, the training API's
        var asset = Path.Combine(assembly, "asset." + Path.GetFileNameWithoutExtension(Assert.Single(keys.Distinct())));
        Assert.Equal(new[] { "bootstrap" }, Directory.GetFileSystemEntries(asset).Select(Path.GetFileName));
        var staged = Path.Combine(asset, "bootstrap");
        var mode = OperatingSystem.IsLinux() ? File.GetUnixFileMode(staged) : throw new PlatformNotSupportedException("the package's handler is a Linux executable");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                     | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, mode);
        Assert.Equal(Elf, File.ReadAllBytes(staged)[..4]);
        using var zip = ZipFile.OpenRead(library.Package);
        Assert.Equal(zip.GetEntry("handler/linux-x64/bootstrap")!.Length, new FileInfo(staged).Length);
    }

    [Fact]
    public void An_app_that_gets_the_constructs_through_another_package_gets_the_handler_too()
    {
        // A team's own construct library packed with the constructs as a dependency: contentFiles would stop at the
        // library; the buildTransitive targets copy the bootstrap into the app's output as well.
        var work = Directory.CreateTempSubdirectory("amp-transitive-").FullName;
        try
        {
            library.WriteNuGetConfig(work);
            var lib = Directory.CreateDirectory(Path.Combine(work, "lib")).FullName;
            var app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
            File.WriteAllText(Path.Combine(lib, "TeamConstructs.csproj"), library.Project("AwsModelPlatform.Constructs", $"""
                <PackageId>TeamConstructs</PackageId>
                <Version>{library.Version}</Version>
                """));
            File.WriteAllText(Path.Combine(lib, "Team.cs"), "namespace TeamConstructs; public static class Team { public static string? Handler => AwsModelPlatform.Constructs.Api.HandlerCode.PackagedBootstrap; }");
            var pack = Repo.Run("dotnet", new[] { "pack", "-c", "Release", "-o", library.Feed }, lib, TimeSpan.FromMinutes(4));
            Assert.True(pack.ExitCode == 0, pack.Output + pack.Error);

            File.WriteAllText(Path.Combine(app, "App.csproj"), library.Project("TeamConstructs", "<OutputType>Exe</OutputType>"));
            File.WriteAllText(Path.Combine(app, "Program.cs"), "System.Console.WriteLine(TeamConstructs.Team.Handler ?? \"none\");");
            var run = Repo.Run("dotnet", new[] { "run" }, app, TimeSpan.FromMinutes(4));
            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            Assert.EndsWith(Path.Combine("handler", "linux-x64", "bootstrap"), run.Output.Trim().Split('\n')[^1]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static readonly byte[] Elf = { 0x7F, (byte)'E', (byte)'L', (byte)'F' };
}
