using System.Text.Json.Nodes;
using LeadFlow.Deployables.Tests.Support;
using LeadFlow.TestSupport.Publishing;

namespace LeadFlow.Deployables.Tests;

/// <summary>
/// The rules catch what they are about: a made-up bundle that breaks every rule at once (as the Ingress project did
/// before the hosts were split) makes each rule name the offending file and the reference that brought it in.
/// </summary>
public sealed class DeployableRuleTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("leadflow-rules-");
    private readonly PublishedDeployable _bundle;

    public DeployableRuleTests()
    {
        var project = Directory.CreateDirectory(Path.Combine(_root.FullName, "Fake.Lambda"));
        var projectFile = Path.Combine(project.FullName, "Fake.Lambda.csproj");
        File.WriteAllText(projectFile, """<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PublishReadyToRunExclude Include="Temporalio.dll" /></ItemGroup></Project>""");
        WriteAssets(Directory.CreateDirectory(Path.Combine(project.FullName, "obj")).FullName);
        var bundle = Directory.CreateDirectory(Path.Combine(_root.FullName, "publish")).FullName;
        Write(bundle, "Fake.Lambda.runtimeconfig.json",
            """{"runtimeOptions":{"frameworks":[{"name":"Microsoft.NETCore.App","version":"10.0.0"},{"name":"Microsoft.AspNetCore.App","version":"10.0.0"}]}}""");
        Write(bundle, "Fake.Lambda.deps.json", """{"runtimeTarget":{"name":".NETCoreApp,Version=v10.0"},"targets":{".NETCoreApp,Version=v10.0":{}}}""");
        Write(bundle, "wwwroot/index.html", "<html></html>");
        Write(bundle, "lead-form.js", "");
        File.WriteAllBytes(Path.Combine(bundle, "AWSSDK.SQS.dll"), []);
        // An ELF header for aarch64 (e_machine 0xB7) where the template says x86_64.
        var elf = new byte[64];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2;
        elf[18] = 0xB7;
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.Combine(bundle, "runtimes", "linux-arm64", "native")).FullName, "libtemporalio_sdk_core_c_bridge.so"), elf);
        File.WriteAllBytes(Path.Combine(bundle, "padding.bin"), new byte[1024 * 1024]);
        _bundle = PublishedDeployable.Read(new PublishResult("Fake.Lambda", projectFile, bundle, TimeSpan.Zero));
    }

    [Fact]
    public void NoAspNetCore_NamesTheRuntimeConfigAndTheReference() =>
        AssertViolations(DeployableRule.NoAspNetCore,
            "Fake.Lambda.runtimeconfig.json: names the shared framework Microsoft.AspNetCore.App",
            "reference: Fake.Lambda -> Fake.Core (project) -> Microsoft.AspNetCore.App (framework)");

    [Fact]
    public void NoTemporalSdk_NamesTheNativeLibraryAndThePathToThePackage() =>
        AssertViolations(DeployableRule.NoTemporalSdk,
            "runtimes/linux-arm64/native/libtemporalio_sdk_core_c_bridge.so: the Temporal SDK's native library (ELF, linux-arm64)",
            "reference: Fake.Lambda -> Fake.Core (project) -> Temporalio 1.21.1 (package)");

    [Fact]
    public void NoSqsSdk_NamesTheAssemblyAndThePackage() =>
        AssertViolations(DeployableRule.NoSqsSdk, "AWSSDK.SQS.dll: the AWS SQS SDK", "reference: Fake.Lambda -> AWSSDK.SQS 4.0.100.25 (package)");

    [Fact]
    public void NoWebForm_NamesTheFormsFiles() =>
        AssertViolations(DeployableRule.NoWebForm,
            "lead-form.js: the web form (Ingress/LeadFlow.Ingress.Http/wwwroot)", "wwwroot/index.html: the web form (Ingress/LeadFlow.Ingress.Http/wwwroot)");

    [Fact]
    public void NativeFilesOnlyFor_NamesTheForeignLibraryAndThePortableDepsFile() =>
        AssertViolations(DeployableRule.NativeFilesOnlyFor("linux-x64"),
            "runtimes/linux-arm64/native/libtemporalio_sdk_core_c_bridge.so: a native ELF library for linux-arm64, not linux-x64",
            "runtimes/linux-arm64/native/libtemporalio_sdk_core_c_bridge.so: a runtime-specific file left for the host to choose at start (publish for linux-x64 flattens the one it needs)",
            "Fake.Lambda.deps.json: targets .NETCoreApp,Version=v10.0, not linux-x64 (publish with RuntimeIdentifier linux-x64, StepFunctions/Lambda.props)");

    [Fact]
    public void SizeUnder_NamesTheLargestFiles()
    {
        var violation = Assert.Single(DeployableRule.SizeUnder(1024 * 1024).Violations(_bundle));
        Assert.StartsWith("Fake.Lambda: 1.0 MB published; the largest files: padding.bin 1.0 MB", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void HoldsTheTemplatesHandlers_NamesTheMissingAssembly()
    {
        var violation = Assert.Single(DeployableRule.HoldsTheTemplatesHandlers("LeadFlow.Ingress.Lambda").Violations(_bundle));
        Assert.StartsWith("LeadFlow.Ingress.Lambda.dll: missing, the handlers' assembly (LeadFlow.Ingress.Lambda::", violation, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private void AssertViolations(DeployableRule rule, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), rule.Violations(_bundle).Order(StringComparer.Ordinal));

    private static void Write(string folder, string relativePath, string text)
    {
        var path = Path.Combine(folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>A restore graph: Fake.Lambda -> Fake.Core (project, asks for ASP.NET Core) -> Temporalio, and AWSSDK.SQS directly.</summary>
    private static void WriteAssets(string obj)
    {
        var assets = new JsonObject
        {
            ["version"] = 3,
            ["targets"] = new JsonObject
            {
                ["net10.0"] = new JsonObject
                {
                    ["AWSSDK.SQS/4.0.100.25"] = new JsonObject { ["type"] = "package" },
                    ["Temporalio/1.21.1"] = new JsonObject { ["type"] = "package" },
                    ["Fake.Core/1.0.0"] = new JsonObject
                    {
                        ["type"] = "project",
                        ["dependencies"] = new JsonObject { ["Temporalio"] = "1.21.1" },
                        ["frameworkReferences"] = new JsonArray("Microsoft.AspNetCore.App"),
                    },
                },
            },
            ["projectFileDependencyGroups"] = new JsonObject { ["net10.0"] = new JsonArray("AWSSDK.SQS >= 4.0.100.25", "Fake.Core >= 1.0.0") },
            ["project"] = new JsonObject
            {
                ["restore"] = new JsonObject { ["projectName"] = "Fake.Lambda" },
                ["frameworks"] = new JsonObject { ["net10.0"] = new JsonObject { ["frameworkReferences"] = new JsonObject { ["Microsoft.NETCore.App"] = new JsonObject() } } },
            },
        };
        File.WriteAllText(Path.Combine(obj, "project.assets.json"), assets.ToJsonString());
    }
}
