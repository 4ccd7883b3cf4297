using LeadFlow.Crm.Backend;
using LeadFlow.Crm.Backend.OpenApi;

if (args is [ExportOpenApiCommand.Name, ..])
{
    return await ExportOpenApiCommand.RunAsync(args);
}

await CrmBackendApp.Build(args).RunAsync();
return 0;
