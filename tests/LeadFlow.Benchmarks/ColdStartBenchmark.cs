using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Publishing;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Benchmarks;

/// <summary>
/// Cold start of the AWS path: each Lambda bundle published as JIT-only IL (<c>-p:PublishReadyToRun=false</c>,
/// before) and ReadyToRun (after, as shipped), started as a fresh process by the Lambda runtime tool and timed from
/// process start to the first answered invocation. Rounds alternate the bundles so outside load hits all alike.
/// The ingress Lambda is also published with Temporalio.dll compiled ReadyToRun (the project excludes it to stay
/// under 50 MB) to show what the exclusion costs. Numbers are reported, not judged; exit 1 only for a broken run.
/// </summary>
public sealed partial class ColdStartBenchmark : IBenchmark
{
    private const string StepLambdas = "StepFunctions/LeadFlow.StepFunctions.Lambdas";
    private const string IngressLambda = "Ingress/LeadFlow.Ingress.Lambda";

    /// <inheritdoc />
    public string Name => "coldstart";

    /// <inheritdoc />
    public string Description => "Lambda cold start, process start to first answer, before (JIT) and after (ReadyToRun) [--rounds 5]";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        var rounds = BenchmarkArgs.PositiveInt(args, "--rounds", 5);
        var work = Directory.CreateTempSubdirectory("leadflow-coldstart-");
        try
        {
            return await RunInAsync(work.FullName, rounds);
        }
        catch (InvalidOperationException broken)
        {
            Console.WriteLine($"BROKEN RUN: {broken.Message}");
            return 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<int> RunInAsync(string work, int rounds)
    {
        Console.WriteLine($"coldstart: publishing the runtime tool ({ColdStartMeasure.ToolProject}, ReadyToRun) and the bundles (dotnet publish -c Release)");
        var tool = await ColdStartMeasure.PublishToolAsync(Path.Combine(work, "runtime"));
        var temporalioReadyToRun = Path.Combine(work, "temporalio-readytorun.targets");
        // Imported after the project's own items, so it can take back the project's PublishReadyToRunExclude.
        await File.WriteAllTextAsync(temporalioReadyToRun, """
            <Project>
              <ItemGroup>
                <PublishReadyToRunExclude Remove="Temporalio.dll" />
              </ItemGroup>
            </Project>
            """);
        var jit = new Dictionary<string, string> { ["PublishReadyToRun"] = "false" };
        var stepsBefore = await PublishAsync(StepLambdas, "before: IL only, JIT", Path.Combine(work, "steps-jit"), jit);
        var stepsAfter = await PublishAsync(StepLambdas, "after: ReadyToRun (shipped)", Path.Combine(work, "steps-r2r"), null);
        var ingressBefore = await PublishAsync(IngressLambda, "before: IL only, JIT", Path.Combine(work, "ingress-jit"), jit);
        var ingressAfter = await PublishAsync(IngressLambda, "after: ReadyToRun, Temporalio.dll JIT (shipped)", Path.Combine(work, "ingress-r2r"), null);
        var ingressAll = await PublishAsync(
            IngressLambda, "ReadyToRun incl. Temporalio.dll", Path.Combine(work, "ingress-r2r-all"), new Dictionary<string, string> { ["CustomAfterMicrosoftCommonTargets"] = temporalioReadyToRun });

        await using var postgres = await PostgresServer.GetAsync();
        await using var backend = await CrmBackendHost.StartAsync(await postgres.CreateDatabaseAsync("leadflow_coldstart"), apiKey: null,
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        var temporal = await TestTemporal.GetAsync();
        var handlers = TemplateHandlers();
        // The settings StepFunctions/template.yaml gives the functions, pointed at this process's servers.
        var crm = new Dictionary<string, string>
        {
            ["Crm__BaseUrl"] = backend.BaseAddress.ToString(),
            ["Crm__ApiKey"] = backend.ApiKey,
        };
        var temporalSettings = new Dictionary<string, string>
        {
            ["Temporal__Address"] = temporal.Address,
            ["Temporal__Namespace"] = temporal.Namespace,
            ["Temporal__TaskQueue"] = $"coldstart-{Guid.NewGuid():N}",
        };
        var run = 0;
        Scenario[] scenarios =
        [
            new("ReceiveLead (pure)", handlers.Single(h => h.EndsWith("::ReceiveLeadAsync", StringComparison.Ordinal)), crm, [stepsBefore, stepsAfter],
                () => new JsonObject { ["executionName"] = $"coldstart-{++run}", ["event"] = SampleLeads.Envelope() }.ToJsonString()),
            new("CreateClient (CRM backend)", handlers.Single(h => h.EndsWith("::CreateClientAsync", StringComparison.Ordinal)), crm, [stepsBefore, stepsAfter],
                () => new JsonObject { ["leadId"] = $"lead-{SampleLeads.NewEventId()}", ["lead"] = SampleLeads.Detail(), ["runId"] = $"coldstart-{++run}" }.ToJsonString()),
            new("Ingress (Temporal)", handlers.Single(h => h.EndsWith("::HandleAsync", StringComparison.Ordinal)), temporalSettings, [ingressBefore, ingressAfter, ingressAll],
                () => SampleLeads.Envelope().ToJsonString()),
        ];
        Console.WriteLine($"CRM backend {backend.BaseAddress}, PostgreSQL {(postgres.IsPrivate ? "private cluster" : "from LEADFLOW_TEST_PG")}, Temporal {temporal.Kind} at {temporal.Address}; {Environment.ProcessorCount} cores");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        // One unmeasured start of each bundle first: the page cache, and the backend's and Temporal's first requests.
        foreach (var scenario in scenarios)
        {
            foreach (var bundle in scenario.Bundles)
            {
                await ColdStartMeasure.RunAsync(tool, http, bundle.Folder, scenario.Handler, scenario.Environment, scenario.Payload);
            }
        }

        var results = scenarios.SelectMany(s => s.Bundles.Select(b => (s, b))).ToDictionary(p => p, _ => new List<ColdStart>());
        for (var round = 0; round < rounds; round++)
        {
            Console.Write($"\rround {round + 1}/{rounds}");
            foreach (var scenario in scenarios)
            {
                // Rotate the order every round: neither bundle always goes first after the other's start.
                for (var i = 0; i < scenario.Bundles.Count; i++)
                {
                    var bundle = scenario.Bundles[(i + round) % scenario.Bundles.Count];
                    results[(scenario, bundle)].Add(await ColdStartMeasure.RunAsync(tool, http, bundle.Folder, scenario.Handler, scenario.Environment, scenario.Payload));
                }
            }
        }

        Console.WriteLine();
        Print(scenarios, results, rounds);
        return 0;
    }

    private static async Task<Bundle> PublishAsync(string project, string label, string folder, Dictionary<string, string>? properties)
    {
        var published = await DotnetPublish.RunAsync(project, folder, properties);
        var bundle = new Bundle(label, folder, published.SizeInBytes);
        Console.WriteLine($"  {project,-46} {label,-50} {PublishResult.Megabytes(bundle.Bytes),9}  (published in {published.Took.TotalSeconds:F0} s)");
        return bundle;
    }

    /// <summary>The handler strings the SAM template deploys, so the benchmark starts exactly those.</summary>
    private static List<string> TemplateHandlers() =>
        HandlerLine().Matches(File.ReadAllText(Path.Combine(DotnetPublish.RepositoryRoot, "StepFunctions", "template.yaml")))
            .Select(m => m.Groups["handler"].Value)
            .ToList();

    private static void Print(Scenario[] scenarios, Dictionary<(Scenario, Bundle), List<ColdStart>> results, int rounds)
    {
        Console.WriteLine($"cold start = process start -> first answered invocation, ms; {rounds} rounds per bundle; median / min");
        Console.WriteLine($"{"Lambda",-28}{"bundle",-50}{"size",9}{"median",9}{"min",8}{"cpu",7}{"fn",6} |{"main",6}{"init",7}{"host",6}{"1st inv",9}{"JIT'd",7}{"warm",7}");
        foreach (var scenario in scenarios)
        {
            var label = scenario.Name;
            foreach (var bundle in scenario.Bundles)
            {
                var runs = results[(scenario, bundle)];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label,-28}{bundle.Label,-50}{PublishResult.Megabytes(bundle.Bytes),9}{Median(runs, r => r.ColdMs),9:F0}{runs.Min(r => r.ColdMs),8:F0}{Median(runs, r => r.CpuMs),7:F0}{Median(runs, r => r.InitMs + r.FirstInvokeMs),6:F0} |{Median(runs, r => r.StartToMainMs),6:F0}{Median(runs, r => r.InitMs),7:F0}{Median(runs, r => r.HostMs),6:F0}{Median(runs, r => r.FirstInvokeMs),9:F0}{Median(runs, r => r.JitMethods),7:F0}{Median(runs, r => r.WarmInvokeMs),7:F1}"));
                label = "";
            }

            var before = results[(scenario, scenario.Bundles[0])];
            var after = results[(scenario, scenario.Bundles[1])];
            var (medianBefore, medianAfter) = (Median(before, r => r.ColdMs), Median(after, r => r.ColdMs));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"",-28}after/before {medianAfter / medianBefore:F2} median, {after.Min(r => r.ColdMs) / before.Min(r => r.ColdMs):F2} min, {Median(after, r => r.CpuMs) / Median(before, r => r.CpuMs):F2} cpu, {Median(after, r => r.InitMs + r.FirstInvokeMs) / Median(before, r => r.InitMs + r.FirstInvokeMs):F2} fn: {Math.Abs(medianBefore - medianAfter):F0} ms {(medianAfter <= medianBefore ? "faster" : "slower")} at the median"));
        }

        Console.WriteLine("cpu = CPU time of the process by the first answer (all threads), steadier than wall time on a busy machine; fn = init + 1st inv,");
        Console.WriteLine("the function's own part (what ReadyToRun can change);");
        Console.WriteLine("main = process start to the tool's Main (runtime start); init = load + constructor; host = the local Invoke API's start (the tool's, same for all);");
        Console.WriteLine("1st inv = the first invocation inside the handler;");
        Console.WriteLine("JIT'd = methods JIT-compiled in the process by the first answer (the tool's own included); warm = a second invocation's round trip. MB = 2^20 bytes.");
        var ingress = scenarios[^1];
        var shipped = results[(ingress, ingress.Bundles[1])];
        var all = results[(ingress, ingress.Bundles[2])];
        var (withTemporalio, asShipped) = (Median(all, r => r.ColdMs), Median(shipped, r => r.ColdMs));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Temporalio.dll ReadyToRun: median {withTemporalio:F0} ms vs {asShipped:F0} ms shipped ({(withTemporalio < asShipped ? "saves" : "costs")} {Math.Abs(asShipped - withTemporalio):F0} ms; min {all.Min(r => r.ColdMs):F0} vs {shipped.Min(r => r.ColdMs):F0}; cpu {Median(all, r => r.CpuMs):F0} vs {Median(shipped, r => r.CpuMs):F0}), bundle {PublishResult.Megabytes(ingress.Bundles[2].Bytes)} vs {PublishResult.Megabytes(ingress.Bundles[1].Bytes)} (bar 50 MB)"));
    }

    private static double Median(List<ColdStart> runs, Func<ColdStart, double> value)
    {
        var sorted = runs.Select(value).Order().ToList();
        return Stats.Percentile(sorted, 50);
    }

    [GeneratedRegex(@"^\s*Handler:\s*(?<handler>\S+::\S+::\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex HandlerLine();

    /// <summary>A published variant of a Lambda project.</summary>
    private sealed record Bundle(string Label, string Folder, long Bytes);

    /// <summary>A handler, the bundles to start it from (before first, then after), its settings and a payload maker.</summary>
    private sealed record Scenario(string Name, string Handler, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<Bundle> Bundles, Func<string> Payload);
}
