namespace LeadFlow.Ingress;

/// <summary>
/// An exception that names its Lambda error (<c>errorType</c> in the function error, what a
/// Step Functions Retry/Catch matches). Without it the name is the exception's type name.
/// The managed AWS runtime always reports the type name, so keep the two equal where a state
/// machine matches on it; the local Invoke host honours this interface.
/// </summary>
public interface INamedLambdaError
{
    string ErrorType { get; }
}
