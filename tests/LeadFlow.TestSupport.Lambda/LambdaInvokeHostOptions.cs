namespace LeadFlow.TestSupport.Lambda;

/// <summary>How a <see cref="LambdaInvokeHost"/> listens and names function errors.</summary>
public sealed class LambdaInvokeHostOptions
{
    /// <summary>The address to listen on; port 0 picks a free one. Default <c>http://127.0.0.1:0</c>.</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";

    /// <summary>
    /// Names a thrown exception (the function error's <c>errorType</c>). Null: <see cref="LambdaInvokeHost.ErrorTypeOf"/>;
    /// <see cref="LambdaInvokeHost.TypeNameOf"/> names errors as AWS's managed runtime does.
    /// </summary>
    public Func<Exception, string>? ErrorTypeOf { get; init; }
}
