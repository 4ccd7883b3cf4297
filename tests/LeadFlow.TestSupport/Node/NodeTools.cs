using System.Diagnostics;
using System.Text;

namespace LeadFlow.TestSupport;

/// <summary>
/// The npm test tools of <c>tests/node</c> (fauxqs, the Step Functions interpreter, playwright-core), installed from
/// its lockfile on first use when they are missing: a benchmark or a test run on a fresh clone works without a
/// separate <c>npm ci</c>. Needs Node.js 20+ with npm on the PATH and the registry (or npm's cache) reachable once.
/// </summary>
public static class NodeTools
{
    private static readonly SemaphoreSlim InProcess = new(1, 1);

    /// <summary>The <c>tests/node</c> folder of this repository (found upwards from the running assembly).</summary>
    /// <exception cref="DirectoryNotFoundException">Not run from inside the repository.</exception>
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "node");
                if (File.Exists(Path.Combine(candidate, "package-lock.json")))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("tests/node (with package-lock.json) not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// The full path of <paramref name="relativePath"/> under <c>tests/node/node_modules</c>, running
    /// <c>npm ci</c> there first when it is missing (one process at a time, under a lock file).
    /// </summary>
    /// <exception cref="InvalidOperationException">npm is missing or <c>npm ci</c> failed: the message says what to run.</exception>
    public static async Task<string> FindOrInstallAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var folder = Folder;
        var path = Path.Combine(folder, "node_modules", relativePath);
        if (File.Exists(path))
        {
            return path;
        }

        await InProcess.WaitAsync(cancellationToken);
        try
        {
            await using var crossProcess = await LockAsync(Path.Combine(folder, ".npm-ci.lock"), cancellationToken);
            if (!File.Exists(path))
            {
                await NpmCiAsync(folder, cancellationToken);
            }
        }
        finally
        {
            InProcess.Release();
        }

        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"npm ci in {folder} did not install node_modules/{relativePath}: run `npm ci` in tests/node and look at its output");
    }

    private static async Task NpmCiAsync(string folder, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"tests/node/node_modules is missing: running `npm ci` in {folder} (once; needs the npm registry or npm's cache)");
        var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("npm is not on the PATH: install Node.js 20+ with npm (sudo apt-get install -y nodejs npm), then run `npm ci` in tests/node", e);
        }

        using (process)
        {
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"npm ci in {folder} did not finish within 10 minutes: run it by hand (cd tests/node && npm ci)");
            }

            if (process.ExitCode != 0)
            {
                string text;
                lock (output)
                {
                    text = output.ToString();
                }

                throw new InvalidOperationException($"npm ci in {folder} failed with exit code {process.ExitCode}: run `npm ci` in tests/node. Its last lines:\n{string.Join('\n', text.Split('\n').TakeLast(15))}");
            }
        }
    }

    /// <summary>An exclusive lock file, waited for (another process may be running npm ci right now).</summary>
    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(11);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }
}
