using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LeadFlow.Crm.Backend.OpenApi;

/// <summary>
/// <c>export-openapi &lt;file&gt;</c>: starts the backend on a loopback port without touching a database,
/// fetches the live document and writes the API Gateway export.
/// </summary>
public static class ExportOpenApiCommand
{
    public const string Name = "export-openapi";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 2)
        {
            await Console.Error.WriteLineAsync($"usage: {ApiGatewayExport.RegenerateCommand}");
            return 2;
        }

        var app = CrmBackendApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                // Generating the document needs no database; this server is never contacted.
                builder.Configuration["ConnectionStrings:Crm"] = "Host=127.0.0.1;Port=1;Database=unused";
                builder.Configuration["Crm:ApiKey"] = "export-only";
                builder.Configuration["Crm:MigrateOnStart"] = "false";
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
            });
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            var export = ApiGatewayExport.Transform(await ApiGatewayExport.FetchLiveDocumentAsync(client));
            await File.WriteAllTextAsync(args[1], export);
            Console.WriteLine($"Wrote {Path.GetFullPath(args[1])}");
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
