using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Temporal;

/// <summary>
/// Declares <see cref="LeadSearchAttributes"/> in a namespace when they are missing, through the operator service, as
/// every host that runs lead workflows must before it polls: a server refuses a run's upsert of an undeclared attribute
/// (the workflow task fails, and the lead stops at its first step until they are declared). Idempotent and safe to run
/// from several workers at once: what exists is left alone, only missing names are added.
/// </summary>
public static class LeadSearchAttributeRegistration
{
    /// <summary>Declares the missing ones in the client's namespace; see <see cref="EnsureAsync(OperatorService, string, RpcOptions?)"/>.</summary>
    public static Task<IReadOnlyList<string>> EnsureAsync(ITemporalClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return EnsureAsync(client.Connection.OperatorService, client.Options.Namespace, new RpcOptions { CancellationToken = cancellationToken, Retry = true });
    }

    /// <summary>Lists the namespace's search attributes and adds those of <see cref="LeadSearchAttributes.Declarations"/> that are missing.</summary>
    /// <returns>The names it added; empty when all were declared already.</returns>
    /// <exception cref="LeadSearchAttributesException">
    /// The namespace lacks some and does not let this client add them (permission denied, not implemented, no slot
    /// left, unknown namespace), or declares one with another type; the message says what an operator must do.
    /// </exception>
    /// <exception cref="RpcException">Temporal did not answer (unavailable, deadline): try again later.</exception>
    public static async Task<IReadOnlyList<string>> EnsureAsync(OperatorService operatorService, string @namespace, RpcOptions? rpc = null)
    {
        ArgumentNullException.ThrowIfNull(operatorService);
        var missing = await MissingAsync(operatorService, @namespace, rpc).ConfigureAwait(false);
        if (missing.Count == 0)
        {
            return [];
        }

        var request = new AddSearchAttributesRequest { Namespace = @namespace };
        foreach (var name in missing)
        {
            request.SearchAttributes[name] = LeadSearchAttributes.Declarations[name];
        }

        try
        {
            await operatorService.AddSearchAttributesAsync(request, rpc).ConfigureAwait(false);
        }
        catch (RpcException refused) when (!IsTransient(refused))
        {
            // Another worker may have added them between our list and add (the real server then says "already exists").
            var stillMissing = await MissingAsync(operatorService, @namespace, rpc).ConfigureAwait(false);
            if (stillMissing.Count == 0)
            {
                return [];
            }

            throw new LeadSearchAttributesException(NotAllowedMessage(@namespace, stillMissing, refused), refused);
        }

        return missing;
    }

    /// <summary>The commands an operator runs to declare the attributes by hand (Temporal CLI, then Temporal Cloud's tcld).</summary>
    public static string HowToDeclare(string @namespace, IEnumerable<string> names)
    {
        var list = names.ToList();
        var cli = string.Join(" ", list.Select(name => $"--name {name} --type {TypeName(LeadSearchAttributes.Declarations[name])}"));
        var cloud = string.Join(" ", list.Select(name => $"--sa {name}={TypeName(LeadSearchAttributes.Declarations[name])}"));
        return $"temporal operator search-attribute create --namespace {@namespace} {cli}  (Temporal Cloud: tcld namespace search-attributes add --namespace {@namespace} {cloud})";
    }

    private static async Task<List<string>> MissingAsync(OperatorService operatorService, string @namespace, RpcOptions? rpc)
    {
        ListSearchAttributesResponse declared;
        try
        {
            declared = await operatorService.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = @namespace }, rpc).ConfigureAwait(false);
        }
        catch (RpcException refused) when (!IsTransient(refused))
        {
            throw new LeadSearchAttributesException(NotAllowedMessage(@namespace, LeadSearchAttributes.Declarations.Keys, refused), refused);
        }

        var missing = new List<string>();
        foreach (var (name, type) in LeadSearchAttributes.Declarations)
        {
            if (!declared.CustomAttributes.TryGetValue(name, out var existing) && !declared.SystemAttributes.TryGetValue(name, out existing))
            {
                missing.Add(name);
            }
            else if (existing != type)
            {
                throw new LeadSearchAttributesException(
                    $"Temporal namespace '{@namespace}' declares the search attribute {name} as {TypeName(existing)}; lead workflows set it as {TypeName(type)}. " +
                    $"Remove it (temporal operator search-attribute remove --namespace {@namespace} --name {name}) or use another namespace (Temporal__Namespace).",
                    null);
            }
        }

        return missing;
    }

    private static string NotAllowedMessage(string @namespace, IEnumerable<string> names, RpcException refused)
    {
        var list = names.ToList();
        return $"Temporal namespace '{@namespace}' lacks the search attributes {string.Join(", ", list)} and does not let this worker add them " +
            $"({refused.Code}: {refused.Message}). Lead workflows cannot run until they exist: ask an operator of the namespace to declare them once: " +
            HowToDeclare(@namespace, list);
    }

    /// <summary>The type as the Temporal CLI spells it (Keyword, Text, Int, ...).</summary>
    private static string TypeName(IndexedValueType type) => type.ToString();

    /// <summary>Codes that mean "try again later", not "you may not".</summary>
    private static bool IsTransient(RpcException e) =>
        e.Code is RpcException.StatusCode.Unavailable or RpcException.StatusCode.DeadlineExceeded or RpcException.StatusCode.ResourceExhausted
            or RpcException.StatusCode.Aborted or RpcException.StatusCode.Cancelled or RpcException.StatusCode.Internal or RpcException.StatusCode.Unknown;
}

/// <summary>
/// The namespace lacks the lead search attributes and this client may not declare them, or declares one with another
/// type. The message names the namespace, the server's answer and the commands an operator runs.
/// </summary>
public sealed class LeadSearchAttributesException(string message, Exception? innerException) : Exception(message, innerException);
