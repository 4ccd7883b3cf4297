namespace LeadFlow.Benchmarks;

/// <summary>A benchmark run from the command line. It prints its numbers and returns 0, or 1 when it missed its bar.</summary>
public interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args);
}
