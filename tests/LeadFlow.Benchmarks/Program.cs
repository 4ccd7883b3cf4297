using System.Reflection;
using LeadFlow.Benchmarks;

// Each benchmark is a class implementing IBenchmark in this project; the first argument picks it.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var chosen = benchmarks.FirstOrDefault(b => string.Equals(b.Name, args.FirstOrDefault(), StringComparison.OrdinalIgnoreCase));
if (chosen is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/LeadFlow.Benchmarks -- <benchmark> [options]");
    foreach (var benchmark in benchmarks)
    {
        Console.Error.WriteLine($"  {benchmark.Name,-12} {benchmark.Description}");
    }

    return 2;
}

try
{
    return await chosen.RunAsync(args.Skip(1).ToArray());
}
catch (ArgumentException wrongOption)
{
    Console.Error.WriteLine($"{chosen.Name}: {wrongOption.Message}");
    return 2;
}
