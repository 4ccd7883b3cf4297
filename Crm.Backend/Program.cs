using LeadFlow.Crm.Backend;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.LocalDatabase;
using LeadFlow.Crm.Backend.OpenApi;
using Microsoft.Extensions.Options;

if (args is [ExportOpenApiCommand.Name, ..])
{
    return await ExportOpenApiCommand.RunAsync(args);
}

try
{
    if (args is [MigrateCommand.Name, ..])
    {
        return await MigrateCommand.RunAsync(args[1..]);
    }

    await CrmBackendApp.Build(args).RunAsync();
    return 0;
}
catch (Exception e) when (e is CrmConfigurationException or OptionsValidationException)
{
    // Start-up refused: one plain line naming the variable and the rule, no stack trace.
    await Console.Error.WriteLineAsync($"Configuration error: {e.Message}");
    return 2;
}
