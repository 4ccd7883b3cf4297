using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// OperatorService's search attribute calls, per namespace, as the real server answers them with SQL
/// visibility (service/frontend/operator_handler.go, addSearchAttributesSQL): adding a name that exists is
/// a no-op, reserved names and unknown types are refused, each type has a fixed number of slots.
/// </summary>
internal sealed class SearchAttributeHandlers(ServerState state)
{
    public void Register(RpcHandlerTable table)
    {
        table.Add<AddSearchAttributesRequest, AddSearchAttributesResponse>(Add);
        table.Add<RemoveSearchAttributesRequest, RemoveSearchAttributesResponse>(Remove);
        table.Add<ListSearchAttributesRequest, ListSearchAttributesResponse>(List);
    }

    private AddSearchAttributesResponse Add(AddSearchAttributesRequest request)
    {
        if (request.SearchAttributes.Count == 0)
        {
            throw RpcErrors.InvalidArgument("SearchAttributes are not set on request.");
        }

        var ns = state.Namespaces.Require(RequireNamespace(request.Namespace));
        foreach (var (name, type) in request.SearchAttributes)
        {
            if (SystemSearchAttributes.IsReserved(name))
            {
                throw RpcErrors.InvalidArgument($"Search attribute {name} is reserved by system.");
            }

            if (type == IndexedValueType.Unspecified || !Enum.IsDefined(type))
            {
                throw RpcErrors.InvalidArgument($"Unknown search attribute type: {type}.");
            }
        }

        lock (ns)
        {
            foreach (var (name, type) in request.SearchAttributes.Where(pair => !ns.CustomSearchAttributes.ContainsKey(pair.Key)))
            {
                var used = ns.CustomSearchAttributes.Values.Count(t => t == type);
                if (used >= SearchAttributeSchema.MaxCustomPerType[type])
                {
                    throw RpcErrors.InvalidArgument(
                        $"Unable to create search attributes: cannot have more than {used} search attribute of type {SystemSearchAttributes.TypeName(type)}.");
                }

                ns.CustomSearchAttributes[name] = type;
            }
        }

        return new AddSearchAttributesResponse();
    }

    private RemoveSearchAttributesResponse Remove(RemoveSearchAttributesRequest request)
    {
        if (request.SearchAttributes.Count == 0)
        {
            throw RpcErrors.InvalidArgument("SearchAttributes are not set on request.");
        }

        var ns = state.Namespaces.Require(RequireNamespace(request.Namespace));
        lock (ns)
        {
            foreach (var name in request.SearchAttributes)
            {
                if (!ns.CustomSearchAttributes.ContainsKey(name))
                {
                    throw SearchAttributeSchema.TypeOf(ns, name) is null
                        ? RpcErrors.NotFound($"Search attribute {name} doesn't exist.")
                        : RpcErrors.InvalidArgument($"Unable to remove non-custom search attributes: {name}.");
                }
            }

            foreach (var name in request.SearchAttributes)
            {
                ns.CustomSearchAttributes.TryRemove(name, out _);
            }
        }

        return new RemoveSearchAttributesResponse();
    }

    private ListSearchAttributesResponse List(ListSearchAttributesRequest request)
    {
        var ns = state.Namespaces.Require(RequireNamespace(request.Namespace));
        var response = new ListSearchAttributesResponse();
        response.CustomAttributes.Add(ns.CustomSearchAttributes);
        response.SystemAttributes.Add(SystemSearchAttributes.System.ToDictionary());
        response.SystemAttributes.Add(SystemSearchAttributes.Predefined.ToDictionary());
        return response;
    }

    private static string RequireNamespace(string name) =>
        string.IsNullOrEmpty(name) ? throw RpcErrors.InvalidArgument("Namespace is not set on request.") : name;
}
