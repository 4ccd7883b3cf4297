using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LeadFlow.Crm.Backend.OpenApi;

/// <summary>
/// <c>export-openapi &lt;file&gt; [--connection vpc-link|internet]</c>: starts the backend on a loopback port without touching a
/// database, fetches the live document as OpenAPI 3.0 (API Gateway imports 2.0 and 3.0 only; the served document stays
/// 3.1) and writes the API Gateway export. The committed export uses the VPC link (<see cref="ApiGatewayConnection.VpcLink"/>).
/// </summary>
public static class ExportOpenApiCommand
{
    public const string Name = "export-openapi";

    public static async Task<int> RunAsync(string[] args)
    {
        var connection = ApiGatewayConnection.VpcLink;
        if (args is not [_, _] && !(args is [_, _, "--connection", var named] && TryParseConnection(named, out connection)))
        {
            await Console.Error.WriteLineAsync($"usage: {ApiGatewayExport.RegenerateCommand} [--connection vpc-link|internet]");
            return 2;
        }

        var app = CrmBackendApp.Build(
            // Development: the document is served without a key, to this loopback-only, short-lived server.
            ["--urls", "http://127.0.0.1:0", "--environment", "Development"],
            builder =>
            {
                // Generating the document needs no database; this server is never contacted.
                builder.Configuration["ConnectionStrings:Crm"] = "Host=127.0.0.1;Port=1;Database=unused";
                builder.Configuration["Crm:ApiKey"] = "export-only-write-key-never-used";
                builder.Configuration["Crm:ReadApiKey"] = "export-only-read-key-never-used";
                builder.Configuration["Crm:MigrateOnStart"] = "false";
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
            });
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            var export = ApiGatewayExport.Transform(await ApiGatewayExport.FetchLiveDocumentAsync(client), connection);
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

    private static bool TryParseConnection(string name, out ApiGatewayConnection connection)
    {
        connection = name switch
        {
            "vpc-link" => ApiGatewayConnection.VpcLink,
            "internet" => ApiGatewayConnection.Internet,
            _ => (ApiGatewayConnection)(-1),
        };
        return Enum.IsDefined(connection);
    }
}
