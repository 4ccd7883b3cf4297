using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;

namespace LeadFlow.LambdaRuntime;

/// <summary>
/// A handler of a published bundle, loaded as AWS's managed .NET runtime loads it: the handler string
/// <c>Assembly::Namespace.Type::Method</c> (as in <c>StepFunctions/template.yaml</c>), the bundle's assemblies
/// in a <see cref="FunctionLoadContext"/> of their own, and the type built once with its parameterless
/// constructor (the init phase). Methods take a <see cref="Stream"/> and return <see cref="Stream"/> or
/// <c>Task&lt;Stream&gt;</c>, the shape that needs no Lambda serializer package.
/// </summary>
public sealed class LambdaFunction
{
    private readonly Func<Stream, Task<Stream>> _invoke;

    private LambdaFunction(string handler, Func<Stream, Task<Stream>> invoke, TimeSpan load, TimeSpan init, IReadOnlyList<string> configurationNotes)
    {
        Handler = handler;
        _invoke = invoke;
        LoadTime = load;
        InitTime = init;
        ConfigurationNotes = configurationNotes;
    }

    /// <summary>The handler string it was loaded from.</summary>
    public string Handler { get; }

    /// <summary>Resolving the handler: loading its assembly and finding the type and method.</summary>
    public TimeSpan LoadTime { get; }

    /// <summary>The constructor (Lambda's init phase).</summary>
    public TimeSpan InitTime { get; }

    /// <summary>
    /// Settings of the bundle's runtimeconfig.json that this process runs with other values (on AWS the bundle's
    /// file configures the process; here this tool's does), one line each.
    /// </summary>
    public IReadOnlyList<string> ConfigurationNotes { get; }

    /// <summary>Loads the handler from <paramref name="bundle"/> and runs the init phase.</summary>
    /// <param name="bundle">A <c>dotnet publish</c> folder.</param>
    /// <param name="handler"><c>Assembly::Namespace.Type::Method</c>.</param>
    /// <exception cref="ArgumentException">The handler string is malformed or names nothing in the bundle.</exception>
    public static LambdaFunction Load(string bundle, string handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(bundle);
        ArgumentException.ThrowIfNullOrEmpty(handler);
        var parts = handler.Split("::");
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"handler '{handler}' is not Assembly::Namespace.Type::Method", nameof(handler));
        }

        var (assemblyName, typeName, methodName) = (parts[0], parts[1], parts[2]);
        var assemblyPath = Path.Combine(bundle, assemblyName + ".dll");
        var runtimeConfig = Path.Combine(bundle, assemblyName + ".runtimeconfig.json");
        foreach (var required in new[] { assemblyPath, runtimeConfig })
        {
            if (!File.Exists(required))
            {
                throw new ArgumentException($"{required} does not exist; is {bundle} the publish folder of {assemblyName}?", nameof(bundle));
            }
        }

        var clock = Stopwatch.StartNew();
        var context = new FunctionLoadContext(assemblyPath, FunctionLoadContext.FrameworksOf(runtimeConfig));
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        var type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new ArgumentException($"{assemblyName} has no type {typeName}", nameof(handler));
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Where(m => m.Name == methodName).ToList();
        var method = candidates.Count switch
        {
            0 => throw new ArgumentException($"{typeName} has no public method {methodName}", nameof(handler)),
            1 => candidates[0],
            // The managed runtime refuses an overloaded handler name too.
            _ => throw new ArgumentException($"{typeName}.{methodName} is overloaded; the managed runtime cannot pick one", nameof(handler)),
        };
        if (method.GetParameters() is not [{ ParameterType: var input }] || input != typeof(Stream)
            || (method.ReturnType != typeof(Stream) && method.ReturnType != typeof(Task<Stream>)))
        {
            throw new ArgumentException($"{typeName}.{methodName} must take a Stream and return Stream or Task<Stream>", nameof(handler));
        }

        var load = clock.Elapsed;
        clock.Restart();
        var instance = method.IsStatic ? null : Construct(type);
        var init = clock.Elapsed;
        // Stream and Task are the runtime's own types in every load context, so the delegate binds directly.
        Func<Stream, Task<Stream>> invoke;
        if (method.ReturnType == typeof(Stream))
        {
            var sync = method.CreateDelegate<Func<Stream, Stream>>(instance);
            invoke = payload => Task.FromResult(sync(payload));
        }
        else
        {
            invoke = method.CreateDelegate<Func<Stream, Task<Stream>>>(instance);
        }
        return new LambdaFunction(handler, invoke, load, init, ConfigurationNotesFor(runtimeConfig));
    }

    /// <summary>Runs one invocation.</summary>
    public Task<Stream> InvokeAsync(Stream payload) => _invoke(payload);

    /// <summary>The parameterless constructor; what it throws is the init error, unwrapped.</summary>
    private static object Construct(Type type)
    {
        if (type.GetConstructor(Type.EmptyTypes) is not { } constructor)
        {
            throw new ArgumentException($"{type.FullName} has no public parameterless constructor for the runtime to call");
        }

        try
        {
            return constructor.Invoke(null);
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is { } thrown)
        {
            ExceptionDispatchInfo.Capture(thrown).Throw();
            throw;
        }
    }

    private static List<string> ConfigurationNotesFor(string runtimeConfig)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(runtimeConfig));
        var notes = new List<string>();
        if (!document.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties))
        {
            return notes;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var wanted = property.Value.ValueKind is JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            var actual = AppContext.GetData(property.Name)?.ToString();
            if (!string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase))
            {
                notes.Add($"{property.Name}: the bundle sets {wanted}, this process runs with {actual ?? "(unset)"}");
            }
        }

        return notes;
    }
}
