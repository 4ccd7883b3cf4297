using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LeadFlow.WebUi.Tests.Support;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.Query.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.WebUi.Tests;

/// <summary>
/// The HTTP/JSON API the Web UI reads, call by call against the same call made through the gRPC API: the
/// answers must carry the same data (parsed back from protojson into the SDK's own messages).
/// </summary>
[Collection(WebUiCollection.Name)]
public sealed class HttpApiTests(WebUiFixture fixture) : IDisposable
{
    private const string Ns = WebUiFixture.Namespace;
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));
    private readonly HttpClient _http = new() { BaseAddress = fixture.Server.WebUiUrl, Timeout = TimeSpan.FromMinutes(1) };

    private Temporalio.Client.WorkflowService Grpc => fixture.Client.Connection.WorkflowService;

    public static TheoryData<string> ListQueries => new()
    {
        string.Empty,
        "LeadOutcome=\"Rejected\"",
        "ExecutionStatus=\"Failed\"",
        "WorkflowType=\"SampleLeadWorkflow\" AND LeadStep=\"CreateBenefit\"",
        "LeadOutcome=\"Completed\" OR ExecutionStatus=\"Running\"",
        "LeadOutcome IS NULL ORDER BY WorkflowId ASC",
        "ExecutionStatus IN (\"Failed\", \"Completed\") ORDER BY StartTime DESC",
    };

    [Fact]
    public async Task Settings_AreTheUiServersShape_WithTheUiVersionAndNoCodec()
    {
        using var settings = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/v1/settings", UriKind.Relative)));

        Assert.Equal("2.38.0", settings.RootElement.GetProperty("Version").GetString());
        Assert.Equal(Ns, settings.RootElement.GetProperty("DefaultNamespace").GetString());
        Assert.False(settings.RootElement.GetProperty("Auth").GetProperty("Enabled").GetBoolean());
        Assert.Equal(string.Empty, settings.RootElement.GetProperty("Codec").GetProperty("Endpoint").GetString());
    }

    [Fact]
    public async Task ClusterSystemNamespacesAndSearchAttributes_AreTheGrpcAnswers()
    {
        Assert.Equal(await Grpc.GetClusterInfoAsync(new()), await GetAsync<GetClusterInfoResponse>("api/v1/cluster-info"));
        Assert.Equal(await Grpc.GetSystemInfoAsync(new()), await GetAsync<GetSystemInfoResponse>("api/v1/system-info"));
        Assert.Equal(await Grpc.ListNamespacesAsync(new()), await GetAsync<ListNamespacesResponse>("api/v1/namespaces"));
        var described = await GetAsync<DescribeNamespaceResponse>($"api/v1/namespaces/{Ns}");
        Assert.Equal(await Grpc.DescribeNamespaceAsync(new() { Namespace = Ns }), described);
        Assert.Equal(TimeSpan.FromDays(1), described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());

        var attributes = await GetAsync<ListSearchAttributesResponse>($"api/v1/namespaces/{Ns}/search-attributes");
        Assert.Equal(await fixture.Client.Connection.OperatorService.ListSearchAttributesAsync(new() { Namespace = Ns }), attributes);
        Assert.Equal(IndexedValueType.Keyword, attributes.CustomAttributes["LeadOutcome"]);
    }

    [Theory]
    [MemberData(nameof(ListQueries))]
    public async Task WorkflowList_PageByPage_IsTheGrpcList(string query)
    {
        var viaHttp = new List<Temporalio.Api.Workflow.V1.WorkflowExecutionInfo>();
        var token = ByteString.Empty;
        do
        {
            var page = await GetAsync<ListWorkflowExecutionsResponse>(
                $"api/v1/namespaces/{Ns}/workflows?query={Uri.EscapeDataString(query)}&pageSize=2&nextPageToken={Uri.EscapeDataString(token.ToBase64())}");
            viaHttp.AddRange(page.Executions);
            token = page.NextPageToken;
        }
        while (!token.IsEmpty);

        var viaGrpc = await Grpc.ListWorkflowExecutionsAsync(new() { Namespace = Ns, Query = query });
        Assert.NotEmpty(viaGrpc.Executions);
        Assert.Equal(viaGrpc.Executions, viaHttp);
    }

    [Fact]
    public async Task RejectedFilter_FindsExactlyTheRejectedLead_WithItsTypedSearchAttributes()
    {
        var list = await GetAsync<ListWorkflowExecutionsResponse>($"api/v1/namespaces/{Ns}/workflows?query={Uri.EscapeDataString("LeadOutcome=\"Rejected\"")}");

        var only = Assert.Single(list.Executions);
        Assert.Equal(WebUiFixture.WorkflowIdFor(SampleOutcome.Rejected), only.Execution.WorkflowId);
        Assert.Equal(WorkflowExecutionStatus.Failed, only.Status);
        var outcome = only.SearchAttributes.IndexedFields["LeadOutcome"];
        Assert.Equal("\"Rejected\"", outcome.Data.ToStringUtf8());
        Assert.Equal("Keyword", outcome.Metadata["type"].ToStringUtf8());
    }

    [Theory]
    [InlineData("")]
    [InlineData("LeadOutcome=\"Failed\"")]
    public async Task WorkflowCount_GroupedByStatus_IsTheGrpcCount(string query)
    {
        var grouped = $"{query} GROUP BY ExecutionStatus".Trim();
        var viaHttp = await GetAsync<CountWorkflowExecutionsResponse>($"api/v1/namespaces/{Ns}/workflow-count?query={Uri.EscapeDataString(grouped)}");

        Assert.Equal(await Grpc.CountWorkflowExecutionsAsync(new() { Namespace = Ns, Query = grouped }), viaHttp);
        Assert.Equal(viaHttp.Count, viaHttp.Groups.Sum(g => g.Count));
        Assert.All(viaHttp.Groups, g => Assert.Equal("Keyword", Assert.Single(g.GroupValues).Metadata["type"].ToStringUtf8()));
        Assert.Equal(await Grpc.CountWorkflowExecutionsAsync(new() { Namespace = Ns, Query = query }), await GetAsync<CountWorkflowExecutionsResponse>($"api/v1/namespaces/{Ns}/workflow-count?query={Uri.EscapeDataString(query)}"));
    }

    [Theory]
    [InlineData(SampleOutcome.Completed)]
    [InlineData(SampleOutcome.FailedAtBenefit)]
    [InlineData(SampleOutcome.Waiting)]
    public async Task DescribeAndHistory_AreTheGrpcAnswers(SampleOutcome outcome)
    {
        var handle = fixture.Leads[outcome];
        var execution = new WorkflowExecution { WorkflowId = handle.Id, RunId = handle.ResultRunId! };
        var path = $"api/v1/namespaces/{Ns}/workflows/{Uri.EscapeDataString(handle.Id)}";

        var described = await GetAsync<DescribeWorkflowExecutionResponse>($"{path}?execution.runId={execution.RunId}");
        Assert.Equal(await Grpc.DescribeWorkflowExecutionAsync(new() { Namespace = Ns, Execution = execution }), described);
        Assert.Contains("Lead ", described.ExecutionConfig.UserMetadata.Summary.Data.ToStringUtf8(), StringComparison.Ordinal);

        var full = await Grpc.GetWorkflowExecutionHistoryAsync(new() { Namespace = Ns, Execution = execution });
        var paged = new List<Temporalio.Api.History.V1.HistoryEvent>();
        string? token = null;
        do
        {
            // The UI sends the token back as next_page_token; nextPageToken is accepted as well.
            var tokenParameter = token is null ? string.Empty : $"&next_page_token={Uri.EscapeDataString(token)}";
            var page = await GetAsync<GetWorkflowExecutionHistoryResponse>($"{path}/history?execution.runId={execution.RunId}&maximumPageSize=4&waitNewEvent=false{tokenParameter}");
            paged.AddRange(page.History.Events);
            token = page.NextPageToken.IsEmpty ? null : page.NextPageToken.ToBase64();
        }
        while (token is not null);
        Assert.Equal(full.History.Events, paged);

        var reversed = await GetAsync<GetWorkflowExecutionHistoryReverseResponse>($"{path}/history-reverse?execution.runId={execution.RunId}");
        Assert.Equal(full.History.Events.Reverse(), reversed.History.Events);

        var raw = JsonDocument.Parse(await _http.GetStringAsync(new Uri($"api/v1/namespaces/{Ns}/workflows/{Uri.EscapeDataString(handle.Id)}/run/{execution.RunId}/history.json", UriKind.Relative)));
        Assert.Equal(full.History.Events, raw.RootElement.EnumerateArray().Select(e => Parser.Parse<Temporalio.Api.History.V1.HistoryEvent>(e.GetRawText())));
    }

    [Fact]
    public async Task ActivitySummaries_AreOnTheScheduledEvents()
    {
        var history = await fixture.Leads[SampleOutcome.FailedAtBenefit].FetchHistoryAsync();

        var summaries = history.Events.Where(e => e.EventType == EventType.ActivityTaskScheduled).Select(e => e.UserMetadata?.Summary?.Data.ToStringUtf8()).ToList();
        Assert.Equal(["\"CreateClient: Carla\"", "\"CreateBenefit: store MAIPU\""], summaries);
    }

    [Theory]
    [InlineData(TaskQueueType.Workflow, 1)]
    [InlineData(TaskQueueType.Activity, 2)]
    public async Task TaskQueuePollers_AreTheGrpcPollers(TaskQueueType type, int typeNumber)
    {
        var viaHttp = await GetAsync<DescribeTaskQueueResponse>($"api/v1/namespaces/{Ns}/task-queues/{WebUiFixture.TaskQueue}?taskQueueType={typeNumber}");
        var viaGrpc = await Grpc.DescribeTaskQueueAsync(new() { Namespace = Ns, TaskQueue = new TaskQueue { Name = WebUiFixture.TaskQueue }, TaskQueueType = type });

        // Last access times move with every poll; who polls does not.
        Assert.NotEmpty(viaGrpc.Pollers);
        Assert.Equal(viaGrpc.Pollers.Select(p => p.Identity).Order(), viaHttp.Pollers.Select(p => p.Identity).Order());
    }

    [Fact]
    public async Task Query_OverHttp_IsTheGrpcQuery()
    {
        var handle = fixture.Leads[SampleOutcome.Waiting];
        var body = JsonSerializer.Serialize(new { execution = new { runId = handle.ResultRunId }, query = new { queryType = "CurrentStep" } });
        using var response = await _http.PostAsync(
            new Uri($"api/v1/namespaces/{Ns}/workflows/{handle.Id}/query/CurrentStep", UriKind.Relative),
            new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var viaHttp = Parser.Parse<QueryWorkflowResponse>(await response.Content.ReadAsStringAsync());

        var viaGrpc = await Grpc.QueryWorkflowAsync(new()
        {
            Namespace = Ns,
            Execution = new WorkflowExecution { WorkflowId = handle.Id, RunId = handle.ResultRunId! },
            Query = new WorkflowQuery { QueryType = "CurrentStep" },
        });
        Assert.Equal(viaGrpc, viaHttp);
        Assert.Equal("\"WaitingForRelease\"", viaHttp.QueryResult.Payloads_[0].Data.ToStringUtf8());
    }

    [Fact]
    public async Task Errors_CarryTheHttpStatusOfTheGrpcCode_AndCodeMessageDetails()
    {
        using var missing = await _http.GetAsync(new Uri($"api/v1/namespaces/{Ns}/workflows/no-such-workflow", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using (var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()))
        {
            Assert.Equal(5, error.RootElement.GetProperty("code").GetInt32());
            Assert.Contains("no-such-workflow", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Array, error.RootElement.GetProperty("details").ValueKind);
        }

        using var badQuery = await _http.GetAsync(new Uri($"api/v1/namespaces/{Ns}/workflows?query={Uri.EscapeDataString("Undeclared=\"x\"")}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        Assert.Contains("invalid search attribute: Undeclared", await badQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var noNamespace = await _http.GetAsync(new Uri("api/v1/namespaces/nowhere/workflows", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.StatusCode);
        Assert.Contains("NamespaceNotFoundFailure", await noNamespace.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> GetAsync<T>(string path)
        where T : IMessage<T>, new()
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return Parser.Parse<T>(body);
    }
}
