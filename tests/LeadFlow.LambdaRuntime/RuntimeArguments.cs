namespace LeadFlow.LambdaRuntime;

/// <summary>The tool's command line: <c>&lt;publish folder&gt; &lt;handler&gt; [--name &lt;function&gt;] [--url &lt;url&gt;]</c>.</summary>
/// <param name="Bundle">The Lambda's <c>dotnet publish</c> folder.</param>
/// <param name="Handler"><c>Assembly::Namespace.Type::Method</c>, as in the SAM template.</param>
/// <param name="FunctionName">The name the Invoke API serves it under (default: the method's name).</param>
/// <param name="Url">Where the Invoke API listens (default a free loopback port).</param>
public sealed record RuntimeArguments(string Bundle, string Handler, string FunctionName, string Url)
{
    /// <summary>One line of usage.</summary>
    public const string Usage = "usage: LeadFlow.LambdaRuntime <publish folder> <Assembly::Namespace.Type::Method> [--name <function name>] [--url http://127.0.0.1:0]";

    /// <summary>The arguments, or null when they are not the tool's.</summary>
    public static RuntimeArguments? Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var positional = new List<string>();
        string? name = null;
        var url = "http://127.0.0.1:0";
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--name" when i + 1 < args.Count:
                    name = args[++i];
                    break;
                case "--url" when i + 1 < args.Count:
                    url = args[++i];
                    break;
                case var option when option.StartsWith('-'):
                    return null;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        if (positional is not [var bundle, var handler])
        {
            return null;
        }

        return new RuntimeArguments(bundle, handler, name ?? handler.Split("::")[^1], url);
    }
}
