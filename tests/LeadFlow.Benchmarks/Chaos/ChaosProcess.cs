using System.Diagnostics;
using System.Globalization;

namespace LeadFlow.Benchmarks.Chaos;

/// <summary>
/// One part of the system as a separate process: <c>dotnet &lt;dll&gt; [args]</c> of a published project, its
/// environment set, stdout and stderr appended to <c>&lt;logs&gt;/&lt;name&gt;.log</c> (kept across restarts). It can be
/// killed with SIGKILL (as a crash would), started again with the same settings, and paused and resumed with
/// SIGSTOP / SIGCONT (a hung process: its sockets accept, nothing answers).
/// </summary>
public sealed class ChaosProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyList<string> _arguments;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _logFile;
    private Process? _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private bool _closed;

    /// <param name="name">Shown in the schedule and names the log file, e.g. <c>worker-2</c>.</param>
    /// <param name="dll">The published entry assembly.</param>
    /// <param name="arguments">Command-line arguments after the dll.</param>
    /// <param name="environment">Environment variables (<c>Section__Key</c>) on top of this process's own.</param>
    /// <param name="logs">Folder of the log files.</param>
    public ChaosProcess(string name, string dll, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logs)
    {
        Name = name;
        _dll = dll;
        _arguments = arguments;
        _environment = environment;
        _logFile = Path.Combine(logs, name + ".log");
        _log = new StreamWriter(_logFile, append: true) { AutoFlush = true };
        lock (Started)
        {
            Started.Add(this);
        }
    }

    /// <summary>Every part created in this process, so a run that fails half-way still ends them all.</summary>
    public static List<ChaosProcess> Started { get; } = [];

    public string Name { get; }

    /// <summary>The operating system's id of the running process; 0 when it is not running.</summary>
    public int ProcessId => _process is { HasExited: false } p ? p.Id : 0;

    /// <summary>How often it was started.</summary>
    public int Starts { get; private set; }

    /// <summary>Starts the process (again). Its output goes on at the end of its log file.</summary>
    public void Start()
    {
        if (_process is { HasExited: false })
        {
            return; // Two overlapping faults restart it once.
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        start.ArgumentList.Add(_dll);
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process?.Dispose();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Name}: dotnet did not start");
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => Write(string.Create(CultureInfo.InvariantCulture, $"--- {Name} (pid {process.Id}) exited at {DateTime.UtcNow:HH:mm:ss.fff}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Starts++;
    }

    /// <summary>SIGKILL: the process ends at once, mid-request, without its shutdown hooks.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGSTOP: the process is frozen; the kernel still accepts its connections.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>Waits until <paramref name="url"/> answers 2xx (the part is up), or throws after <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">It did not answer in time; the message points at its log file.</exception>
    public async Task WaitHealthyAsync(Uri url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"{Name} exited with code {exited.ExitCode} while starting; see {_logFile}");
            }

            try
            {
                using var answer = await http.GetAsync(url);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} did not answer {url} within {timeout.TotalSeconds} s; see {_logFile}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await ResumeAsync();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        lock (_gate)
        {
            _closed = true;
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        lock (_gate)
        {
            if (line is not null && !_closed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private async Task SignalAsync(string signal)
    {
        if (ProcessId is var pid and > 0)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }
    }
}
