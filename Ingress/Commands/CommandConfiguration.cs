namespace LeadFlow.Ingress.Commands;

/// <summary>Configuration of a one-shot command: environment variables, then <c>--Section:Key value</c> arguments.</summary>
internal static class CommandConfiguration
{
    public static IConfigurationRoot Build(string[] options) =>
        new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(options).Build();

    public static ILoggerFactory Logging() =>
        LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

    /// <summary>Splits positional arguments from <c>--name value</c> pairs.</summary>
    public static (List<string> Positional, string[] Options) Split(string[] args)
    {
        var positional = new List<string>();
        var options = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                options.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    options.Add(args[++i]);
                }
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return (positional, [.. options]);
    }
}
