using LeadFlow.EmbeddedTemporal;

namespace LeadFlow.WebUi.Tests;

/// <summary>
/// The UI locator's cache and build steps, with a stand-in for npm (a shell script) so that they run in a second:
/// the real npm build is exercised by test.sh and by the browser tests' fixture.
/// </summary>
public sealed class WebUiAssetsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("leadflow-webui-cache-").FullName;

    [Fact]
    public async Task MissingUi_IsBuiltWithNpmCiAndRunBuild_ThenComesFromTheCache()
    {
        var npm = FakeNpm("""
            echo "$@" >> "$LOG"
            if [ "$1" = run ]; then mkdir -p build/_app && echo '<html>ui</html>' > build/index.html; fi
            """);
        var log = new List<string>();

        Assert.False(WebUiAssets.Locate(_root).IsAvailable);
        var built = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { CacheRoot = _root, NpmPath = npm, Log = log.Add });

        Assert.True(built.Built);
        Assert.Equal(Path.Combine(_root, WebUiAssets.SourceHash), built.Directory);
        Assert.True(File.Exists(Path.Combine(built.Directory!, "index.html")));
        Assert.Equal(["ci --no-audit --no-fund --loglevel=error", "run build"], File.ReadAllLines(Path.Combine(_root, "npm.log")));
        Assert.Contains(log, line => line.StartsWith("npm run build: done", StringComparison.Ordinal));
        Assert.Empty(Directory.GetDirectories(_root, "work-*"));

        var cached = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { CacheRoot = _root, NpmPath = npm });
        Assert.False(cached.Built);
        Assert.Equal(built.Directory, cached.Directory);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_root, "npm.log")).Length);
    }

    [Fact]
    public async Task FailingBuild_SaysWhatFailed_AndHowToGetTheUi()
    {
        var npm = FakeNpm("""
            if [ "$1" = ci ]; then echo "npm ERR! 404 Not Found - GET https://registry/@temporalio/ui" >&2; exit 1; fi
            """);

        var failed = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { CacheRoot = _root, NpmPath = npm });

        Assert.False(failed.IsAvailable);
        Assert.Contains("`npm ci --no-audit --no-fund --loglevel=error` exited with 1", failed.Message, StringComparison.Ordinal);
        Assert.Contains("npm ERR! 404", failed.Message, StringComparison.Ordinal);
        Assert.Contains("--ui-build only", failed.Message, StringComparison.Ordinal);
        Assert.False(WebUiAssets.Locate(_root).IsAvailable);
    }

    [Fact]
    public async Task WithoutBuilding_OnlyTheCacheIsLookedAt()
    {
        var result = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { CacheRoot = _root, BuildIfMissing = false, NpmPath = "/nonexistent/npm" });

        Assert.False(result.IsAvailable);
        Assert.Contains("not built yet", result.Message, StringComparison.Ordinal);
        Assert.Contains("nodejs npm", result.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string FakeNpm(string body)
    {
        var script = Path.Combine(_root, "npm");
        File.WriteAllText(script, $"#!/bin/sh\nLOG='{Path.Combine(_root, "npm.log")}'\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return script;
    }
}
