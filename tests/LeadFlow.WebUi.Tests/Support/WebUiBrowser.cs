namespace LeadFlow.WebUi.Tests.Support;

/// <summary>Runs tests/node/webui-test.mjs (playwright-core driving Debian's Chromium) for the browser tests.</summary>
public static class WebUiBrowser
{
    /// <summary>tests/node, found above the test assembly (it holds webui-test.mjs and its node_modules).</summary>
    public static string FindNodeTools()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "node");
            if (File.Exists(Path.Combine(candidate, "webui-test.mjs")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/node/webui-test.mjs not found above {AppContext.BaseDirectory}");
    }
}
