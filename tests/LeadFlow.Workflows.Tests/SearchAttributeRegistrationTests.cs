using Google.Protobuf;
using LeadFlow.EmbeddedTemporal;
using LeadFlow.Temporal;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// The lead search attributes are declared where leads run, once, by whoever starts first; a namespace that refuses
/// is reported with what an operator must do. Each test has a fresh embedded server (which, as a real one, refuses
/// undeclared attributes and has a fixed number of Keyword slots).
/// </summary>
public sealed class SearchAttributeRegistrationTests : IAsyncLifetime
{
    private EmbeddedTemporalServer server = null!;
    private TemporalClient client = null!;

    public async Task InitializeAsync()
    {
        server = await EmbeddedTemporalServer.StartAsync(new EmbeddedTemporalOptions { Port = 0, EnableWebUi = false });
        client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(server.Address) { Namespace = "default" });
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task MissingAttributes_AreDeclaredAsKeyword_OnceEvenWhenManyWorkersStartAtOnce()
    {
        var first = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LeadSearchAttributeRegistration.EnsureAsync(client)));
        var again = await LeadSearchAttributeRegistration.EnsureAsync(client);

        Assert.Contains(first, added => added.Count == 3);
        Assert.Empty(again);
        var declared = await DeclaredAsync();
        foreach (var name in new[] { "LeadOutcome", "LeadStep", "LeadFailedStep" })
        {
            Assert.Equal(IndexedValueType.Keyword, declared[name]);
        }
    }

    [Fact]
    public async Task SomeDeclaredAlready_OnlyTheMissingAreAdded()
    {
        await AddAsync("LeadOutcome", IndexedValueType.Keyword);

        var added = await LeadSearchAttributeRegistration.EnsureAsync(client);

        Assert.Equal(["LeadStep", "LeadFailedStep"], added.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task DeclaredWithAnotherType_IsRefusedNamingTheAttributeAndTheFix()
    {
        await AddAsync("LeadStep", IndexedValueType.Text);

        var refused = await Assert.ThrowsAsync<LeadSearchAttributesException>(() => LeadSearchAttributeRegistration.EnsureAsync(client));

        Assert.Contains("declares the search attribute LeadStep as Text", refused.Message, StringComparison.Ordinal);
        Assert.Contains("temporal operator search-attribute remove --namespace default --name LeadStep", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceWithoutFreeKeywordSlots_IsReportedWithTheCommandsToRun()
    {
        // Use up every Keyword slot the server has (as a long-lived namespace may have), so the add is refused.
        for (var i = 0; ; i++)
        {
            try
            {
                await AddAsync($"Other{i}", IndexedValueType.Keyword);
            }
            catch (RpcException full) when (full.Code == RpcException.StatusCode.InvalidArgument)
            {
                break;
            }
        }

        var refused = await Assert.ThrowsAsync<LeadSearchAttributesException>(() => LeadSearchAttributeRegistration.EnsureAsync(client));

        Assert.Contains("Temporal namespace 'default' lacks the search attributes LeadOutcome, LeadStep, LeadFailedStep", refused.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidArgument", refused.Message, StringComparison.Ordinal);
        Assert.Contains(
            "temporal operator search-attribute create --namespace default --name LeadOutcome --type Keyword --name LeadStep --type Keyword --name LeadFailedStep --type Keyword",
            refused.Message,
            StringComparison.Ordinal);
        Assert.Contains("tcld namespace search-attributes add --namespace default --sa LeadOutcome=Keyword", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermissionDenied_IsReportedAsNotAllowed_NotAsAnOutage()
    {
        // What a server with an authorizer (or Temporal Cloud without the namespace admin role) answers to AddSearchAttributes.
        var denying = new DenyingOperatorService(client.Connection.OperatorService, "AddSearchAttributes");

        var refused = await Assert.ThrowsAsync<LeadSearchAttributesException>(() => LeadSearchAttributeRegistration.EnsureAsync(denying, "default"));

        Assert.Contains("does not let this worker add them (PermissionDenied: Request unauthorized.)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ask an operator of the namespace to declare them once", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_DeclaresTheAttributesBeforeItPolls()
    {
        var logs = new LogCapture();
        using var worker = BuildWorker(logs);

        await worker.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await DeclaredAsync()).ContainsKey("LeadFailedStep") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await worker.StopAsync();
        Assert.True((await DeclaredAsync()).ContainsKey("LeadFailedStep"), logs.AllText);
        Assert.Contains("Lead search attributes LeadOutcome, LeadStep, LeadFailedStep in namespace default: declared now", logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_InANamespaceThatRefuses_SaysWhatToRun_AndDoesNotPoll()
    {
        var logs = new LogCapture();
        using var worker = BuildWorker(logs, @namespace: "no-such-namespace");

        await worker.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!logs.AllText.Contains("temporal operator search-attribute create --namespace no-such-namespace", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await worker.StopAsync();
        Assert.Contains("The worker does not poll until they exist", logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Worker polling task queue", logs.AllText, StringComparison.Ordinal);
    }

    private IHost BuildWorker(LogCapture logs, string @namespace = "default")
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = server.Address,
            ["Temporal:Namespace"] = @namespace,
            ["Temporal:TaskQueue"] = $"registration-{Guid.NewGuid():N}",
            ["Crm:BaseUrl"] = "http://127.0.0.1:9",
            ["Crm:ApiKey"] = "some-key",
            ["Worker:MaxReconnectDelay"] = "00:00:00.200",
            ["Worker:GracefulShutdownTimeout"] = "00:00:01",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.AddLeadOnboardingWorker(builder.Configuration);
        return builder.Build();
    }

    private async Task AddAsync(string name, IndexedValueType type) =>
        await client.Connection.OperatorService.AddSearchAttributesAsync(new AddSearchAttributesRequest { Namespace = "default", SearchAttributes = { [name] = type } });

    private async Task<IDictionary<string, IndexedValueType>> DeclaredAsync() =>
        (await client.Connection.OperatorService.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = "default" })).CustomAttributes;

    /// <summary>The real operator service, except that one call is refused as an authorizer refuses it.</summary>
    private sealed class DenyingOperatorService(OperatorService inner, string deniedRpc) : OperatorService
    {
        protected override async Task<T> InvokeRpcAsync<T>(string rpc, IMessage req, MessageParser<T> resp, RpcOptions? options = null)
        {
            if (rpc == deniedRpc)
            {
                throw new RpcException(RpcException.StatusCode.PermissionDenied, "Request unauthorized.", null);
            }

            IMessage answer = req switch
            {
                ListSearchAttributesRequest list => await inner.ListSearchAttributesAsync(list, options),
                AddSearchAttributesRequest add => await inner.AddSearchAttributesAsync(add, options),
                _ => throw new NotSupportedException(rpc),
            };
            return (T)answer;
        }
    }
}
