namespace LeadFlow.Deployables.Tests.Support;

/// <summary>The Lambda runtime tool (tests/LeadFlow.LambdaRuntime), copied next to these tests by the project reference.</summary>
public static class LambdaRuntimeTool
{
    /// <summary>Its entry assembly, with its runtimeconfig.json beside it.</summary>
    public static string Path
    {
        get
        {
            var tool = System.IO.Path.Combine(AppContext.BaseDirectory, "LeadFlow.LambdaRuntime.dll");
            Assert.True(File.Exists(System.IO.Path.ChangeExtension(tool, ".runtimeconfig.json")), $"{tool} and its runtimeconfig.json are missing; the project reference to LeadFlow.LambdaRuntime copies them");
            return tool;
        }
    }
}
