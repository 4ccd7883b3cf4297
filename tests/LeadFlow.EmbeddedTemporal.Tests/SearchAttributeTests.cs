using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>
/// Custom search attributes on the embedded server, with the real server's rules (operator_handler.go,
/// searchattribute/validator.go, the visibility query converter): declared per namespace, validated on every
/// write, searchable with the visibility query language.
/// </summary>
public sealed class SearchAttributeTests
{
    [Fact]
    public async Task AddSearchAttributes_IsListed_IsIdempotent_AndRefusesReservedNamesAndUnknownTypes()
    {
        await using var embedded = await EmbeddedServer.StartAsync();
        var client = await embedded.ConnectAsync();
        var operators = client.Connection.OperatorService;

        await EmbeddedServer.DeclareLeadAttributesAsync(client);
        await EmbeddedServer.DeclareLeadAttributesAsync(client);
        var listed = await operators.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = "default" });

        Assert.Equal(IndexedValueType.Keyword, listed.CustomAttributes["LeadOutcome"]);
        Assert.Equal(IndexedValueType.Keyword, listed.CustomAttributes["LeadStep"]);
        Assert.Equal(IndexedValueType.Keyword, listed.SystemAttributes["ExecutionStatus"]);
        Assert.Equal(IndexedValueType.Datetime, listed.SystemAttributes["StartTime"]);
        foreach (var (name, type, message) in new[]
        {
            ("WorkflowId", IndexedValueType.Keyword, "Search attribute WorkflowId is reserved by system."),
            ("TemporalLeadThing", IndexedValueType.Keyword, "Search attribute TemporalLeadThing is reserved by system."),
            ("LeadScore", IndexedValueType.Unspecified, "Unknown search attribute type"),
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => operators.AddSearchAttributesAsync(new AddSearchAttributesRequest
            {
                Namespace = "default",
                SearchAttributes = { [name] = type },
            }));
            Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
            Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartWithAnUndeclaredAttributeOrAValueOfTheWrongType_IsRefused()
    {
        await using var embedded = await EmbeddedServer.StartAsync();
        var client = await embedded.ConnectAsync();
        await client.Connection.OperatorService.AddSearchAttributesAsync(new AddSearchAttributesRequest
        {
            Namespace = "default",
            SearchAttributes = { ["LeadScore"] = IndexedValueType.Int },
        });

        var undeclared = await Assert.ThrowsAsync<RpcException>(() => client.StartWorkflowAsync(
            (TaggedLeadWorkflow wf) => wf.RunAsync("x", "y", "complete"),
            new WorkflowOptions($"wf-{Guid.NewGuid():N}", embedded.TaskQueue)
            {
                TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateKeyword("LeadOutcome"), "Rejected").ToSearchAttributeCollection(),
            }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, undeclared.Code);
        Assert.Equal("search attribute LeadOutcome is not defined", undeclared.Message);

        var wrongType = await Assert.ThrowsAsync<RpcException>(() => client.StartWorkflowAsync(
            (TaggedLeadWorkflow wf) => wf.RunAsync("x", "y", "complete"),
            new WorkflowOptions($"wf-{Guid.NewGuid():N}", embedded.TaskQueue)
            {
                TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateKeyword("LeadScore"), "high").ToSearchAttributeCollection(),
            }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, wrongType.Code);
        Assert.Contains("is not a valid value for search attribute LeadScore of type Int", wrongType.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertOfAnUndeclaredAttribute_FailsTheWorkflowTask_WithBadSearchAttributes()
    {
        await using var embedded = await EmbeddedServer.StartAsync();
        var client = await embedded.ConnectAsync();
        embedded.StartWorker(client, typeof(UndeclaredAttributeWorkflow));

        var handle = await client.StartWorkflowAsync((UndeclaredAttributeWorkflow wf) => wf.RunAsync(), new WorkflowOptions($"wf-{Guid.NewGuid():N}", embedded.TaskQueue));

        var failedTask = await Eventually.FindAsync(async () =>
            (await handle.FetchHistoryAsync()).Events.FirstOrDefault(e => e.EventType == EventType.WorkflowTaskFailed));
        Assert.Equal(WorkflowTaskFailedCause.BadSearchAttributes, failedTask.WorkflowTaskFailedEventAttributes.Cause);
        Assert.Contains("search attribute NeverDeclared is not defined", failedTask.WorkflowTaskFailedEventAttributes.Failure.Message, StringComparison.Ordinal);
        await handle.TerminateAsync("test over");
    }

    [Fact]
    public async Task ListAndCountQueries_FilterBySearchAttributesAndStatus_WithAndOrOrderByAndGroupBy()
    {
        await using var embedded = await EmbeddedServer.StartAsync();
        var client = await embedded.ConnectAsync();
        await EmbeddedServer.DeclareLeadAttributesAsync(client);
        embedded.StartWorker(client, typeof(TaggedLeadWorkflow));
        var prefix = $"q-{Guid.NewGuid():N}";
        var leads = new (string Id, string Outcome, string Step, string Ending)[]
        {
            ($"{prefix}-a", "Completed", "CreateBenefit", "complete"),
            ($"{prefix}-b", "Rejected", "ReceiveLead", "fail"),
            ($"{prefix}-c", "Failed", "CreateBenefit", "fail"),
            ($"{prefix}-d", "Pending", "CreatePartner", "wait"),
        };
        foreach (var lead in leads)
        {
            var handle = await client.StartWorkflowAsync((TaggedLeadWorkflow wf) => wf.RunAsync(lead.Outcome, lead.Step, lead.Ending), new WorkflowOptions(lead.Id, embedded.TaskQueue));
            if (lead.Ending != "wait")
            {
                await FinishedAsync(handle);
            }
        }

        await Eventually.FindAsync(async () => await Ids($"WorkflowId = '{prefix}-d' AND LeadStep = 'CreatePartner'") is [_] ? true : (bool?)null);

        Assert.Equal([$"{prefix}-b"], await Ids("LeadOutcome=\"Rejected\""));
        Assert.Equal([$"{prefix}-a", $"{prefix}-c"], await Ids("LeadStep=\"CreateBenefit\" ORDER BY WorkflowId"));
        Assert.Equal([$"{prefix}-c", $"{prefix}-b"], await Ids("ExecutionStatus=\"Failed\" ORDER BY WorkflowId DESC"));
        Assert.Equal([$"{prefix}-a", $"{prefix}-b", $"{prefix}-c", $"{prefix}-d"], await Ids("WorkflowType='TaggedLeadWorkflow' ORDER BY WorkflowId ASC"));
        Assert.Equal([$"{prefix}-b", $"{prefix}-d"], await Ids("(LeadOutcome='Rejected' OR ExecutionStatus='Running') AND WorkflowType='TaggedLeadWorkflow' ORDER BY WorkflowId"));
        Assert.Equal([$"{prefix}-a", $"{prefix}-c", $"{prefix}-d"], await Ids("LeadOutcome != 'Rejected' ORDER BY WorkflowId"));
        Assert.Equal([$"{prefix}-b", $"{prefix}-c"], await Ids("LeadOutcome IN ('Rejected', 'Failed') ORDER BY WorkflowId"));
        Assert.Equal([$"{prefix}-a"], await Ids("LeadOutcome STARTS_WITH 'Comp'"));

        // Without ORDER BY: the running run first, then by close time, newest first.
        Assert.Equal($"{prefix}-d", (await Ids(string.Empty))[0]);

        var count = await client.CountWorkflowsAsync("WorkflowType='TaggedLeadWorkflow' GROUP BY ExecutionStatus");
        Assert.Equal(4, count.Count);
        var groups = count.Groups.ToDictionary(g => (string)g.GroupValues.Single()!, g => g.Count);
        Assert.Equal(new Dictionary<string, long> { ["Running"] = 1, ["Completed"] = 1, ["Failed"] = 2 }, groups);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => Ids("Undeclared = 'x'"));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, invalid.Code);
        Assert.Contains("invalid search attribute: Undeclared", invalid.Message, StringComparison.Ordinal);
        var groupInList = await Assert.ThrowsAsync<RpcException>(() => Ids("GROUP BY ExecutionStatus"));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, groupInList.Code);

        var described = await client.GetWorkflowHandle($"{prefix}-c").DescribeAsync();
        Assert.Equal("Failed", described.TypedSearchAttributes.Get(TaggedLeadWorkflow.Outcome));
        Assert.Equal("CreateBenefit", described.TypedSearchAttributes.Get(TaggedLeadWorkflow.Step));

        static async Task FinishedAsync(WorkflowHandle handle)
        {
            try
            {
                await handle.GetResultAsync();
            }
            catch (WorkflowFailedException)
            {
                // The failing leads end this way.
            }
        }

        async Task<List<string>> Ids(string query) =>
            await client.ListWorkflowsAsync(query).Select(w => w.Id).Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToListAsync();
    }
}
