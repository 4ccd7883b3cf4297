using System.Diagnostics;
using System.Globalization;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Saga;
using LeadFlow.Workflows.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Many leads of one person at once, drawn from a seed (<see cref="SagaScenario"/>), and the invariants of issue 11
/// checked afterwards (<see cref="SagaInvariants"/>). A failure names its seed; replay it with
/// <c>LEADFLOW_SAGA_SEED=&lt;seed&gt;</c>. CI runs four fixed seeds; <c>LEADFLOW_SAGA_SEEDS=1000</c> runs that many
/// (from <c>LEADFLOW_SAGA_FIRST_SEED</c>, default 1; <c>LEADFLOW_SAGA_PARALLEL</c> scenarios at once, default 4).
/// </summary>
public sealed class RandomOverlappingLeadsTests(LeadFlowFixture flow, ITestOutputHelper output) : IClassFixture<LeadFlowFixture>
{
    public const string SeedVariable = "LEADFLOW_SAGA_SEED";
    public const string SeedsVariable = "LEADFLOW_SAGA_SEEDS";
    public const string FirstSeedVariable = "LEADFLOW_SAGA_FIRST_SEED";
    public const string ParallelVariable = "LEADFLOW_SAGA_PARALLEL";

    /// <summary>
    /// Fixed in CI so a red build is reproducible. Between them: 2, 2, 9 and 20 leads; duplicates, invalid leads,
    /// cancellations, refusals at each of the three creates, and outages (seed 7: 9 leads, 2 invalid, 2 cancelled, a
    /// refusal at every create; 12: 20 leads, 3 cancelled, 7 refusals, 3 outages; 14: the plain pair; 35: a duplicated
    /// pair with an invalid lead and a refused benefit).
    /// </summary>
    private static readonly int[] FixedSeeds = [7, 12, 14, 35];

    private static readonly string Tag = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task OverlappingLeadsOfOnePerson_FixedSeeds_KeepEveryInvariant()
    {
        int[] seeds = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } replay
            ? [int.Parse(replay, CultureInfo.InvariantCulture)]
            : FixedSeeds;

        var failures = await RunSeedsAsync(seeds, parallel: seeds.Length);

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [SagaSeedsFact]
    public async Task OverlappingLeadsOfOnePerson_ManySeeds_KeepEveryInvariant()
    {
        var count = int.Parse(Environment.GetEnvironmentVariable(SeedsVariable)!, CultureInfo.InvariantCulture);
        var first = Environment.GetEnvironmentVariable(FirstSeedVariable) is { Length: > 0 } start ? int.Parse(start, CultureInfo.InvariantCulture) : 1;
        var parallel = Environment.GetEnvironmentVariable(ParallelVariable) is { Length: > 0 } p ? int.Parse(p, CultureInfo.InvariantCulture) : 4;
        var clock = Stopwatch.StartNew();

        var failures = await RunSeedsAsync([.. Enumerable.Range(first, count)], parallel);

        var line = $"{count} seeds ({first}..{first + count - 1}), {parallel} at a time: {failures.Count} failed, {clock.Elapsed.TotalSeconds:0} s";
        output.WriteLine(line);
        Console.WriteLine($"[saga] {line}");
        Assert.True(failures.Count == 0, $"{line}\n\n{string.Join("\n\n", failures)}");
    }

    private async Task<List<string>> RunSeedsAsync(IReadOnlyList<int> seeds, int parallel)
    {
        var failures = new List<string>();
        var gate = new Lock();
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (seed, _) =>
        {
            var scenario = SagaScenario.Generate(seed, SampleLeads.NewRut(), Tag);
            IReadOnlyList<string> violations;
            try
            {
                var ends = await SagaRun.RunAsync(flow, scenario);
                violations = await SagaInvariants.CheckAsync(scenario, ends, flow.Crm);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                violations = [$"the run itself failed: {e}"];
            }

            if (violations.Count > 0)
            {
                var report = $"Seed {seed} broke {violations.Count} invariant(s); replay: {SeedVariable}={seed} dotnet test tests/LeadFlow.Workflows.Tests -c Release --filter FullyQualifiedName~FixedSeeds\n"
                    + string.Join("\n", violations.Select(v => $"  - {v}")) + $"\n{scenario.Describe()}";
                output.WriteLine(report);
                Console.WriteLine($"[saga] {report}");
                lock (gate)
                {
                    failures.Add(report);
                }
            }
        });
        return failures;
    }
}

/// <summary>A fact that runs only when <c>LEADFLOW_SAGA_SEEDS</c> says how many seeds to run (minutes, not for every build).</summary>
public sealed class SagaSeedsFactAttribute : FactAttribute
{
    public SagaSeedsFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RandomOverlappingLeadsTests.SeedsVariable)))
        {
            Skip = $"set {RandomOverlappingLeadsTests.SeedsVariable}=<count> to run many seeds";
        }
    }
}
