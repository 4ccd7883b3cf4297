using LeadFlow.Aws;
using LeadFlow.Ingress.Publishing;
using LeadFlow.Ingress.Tests.Support;

namespace LeadFlow.Ingress.Tests;

/// <summary>The publisher against a local PutEvents endpoint that verifies SigV4 like AWS.</summary>
public sealed class LeadEventPublisherTests
{
    [Fact]
    public async Task TwentyFiveLeads_GoInThreeSignedRequests()
    {
        await using var bus = await FakeEventBridge.StartAsync();
        using var http = new HttpClient();

        var report = await Publisher(bus, http).PublishAsync(Leads(25));

        Assert.Empty(report.Failed);
        Assert.Equal(Enumerable.Range(0, 25), report.Published.Select(p => p.Index));
        Assert.Equal(3, report.Requests);
        Assert.Equal([10, 10, 5], bus.Requests.Select(r => r.Entries.Count));
        var entry = bus.Requests[0].Entries[0];
        Assert.Equal("crm.leads", entry["Source"]!.GetValue<string>());
        Assert.Equal("LeadSubmitted", entry["DetailType"]!.GetValue<string>());
        Assert.Equal("leads-bus", entry["EventBusName"]!.GetValue<string>());
        Assert.Equal("content-type;host;x-amz-date;x-amz-target", bus.Requests[0].SignedHeaders);
    }

    [Fact]
    public async Task FailedEntries_AreRetriedAloneAndPermanentOnesReported()
    {
        await using var bus = await FakeEventBridge.StartAsync();
        // Leads 3 and 7 are throttled on the first request; lead 5 is refused for good.
        bus.FailEntry = (entry, attempt) => entry["Detail"]!.GetValue<string>() switch
        {
            var d when d.Contains("\"n\":5", StringComparison.Ordinal) => "MalformedDetail",
            var d when attempt == 0 && (d.Contains("\"n\":3", StringComparison.Ordinal) || d.Contains("\"n\":7", StringComparison.Ordinal)) => "ThrottlingException",
            _ => null,
        };
        using var http = new HttpClient();

        var report = await Publisher(bus, http).PublishAsync(Leads(10));

        Assert.Equal(2, report.Requests);
        Assert.Equal(2, bus.Requests[1].Entries.Count);
        Assert.Equal(9, report.Published.Count);
        var failed = Assert.Single(report.Failed);
        Assert.Equal((5, "MalformedDetail", 1), (failed.Index, failed.ErrorCode, failed.Attempts));
    }

    [Fact]
    public async Task EntriesFailingEveryTime_AreReportedAfterMaxAttempts()
    {
        await using var bus = await FakeEventBridge.StartAsync();
        bus.FailEntry = (_, _) => "InternalFailure";
        using var http = new HttpClient();

        var report = await Publisher(bus, http, maxAttempts: 3).PublishAsync(Leads(2));

        Assert.Equal(3, report.Requests);
        Assert.All(report.Failed, f => Assert.Equal(("InternalFailure", 3), (f.ErrorCode, f.Attempts)));
    }

    [Fact]
    public async Task WrongSecret_IsRefusedWithoutRetrying()
    {
        await using var bus = await FakeEventBridge.StartAsync();
        using var http = new HttpClient();
        var options = Options(bus);

        var report = await new LeadEventPublisher(new EventBridgeHttpClient(http, options, new AwsCredentials(FakeEventBridge.AccessKeyId, "wrong")), options).PublishAsync(Leads(3));

        Assert.Equal(1, report.Requests);
        Assert.Equal(3, report.Failed.Count);
        Assert.All(report.Failed, f => Assert.Equal("InvalidSignatureException", f.ErrorCode));
    }

    [Fact]
    public async Task SessionToken_IsSent()
    {
        await using var bus = await FakeEventBridge.StartAsync();
        using var http = new HttpClient();
        var options = Options(bus);
        var credentials = new AwsCredentials(FakeEventBridge.AccessKeyId, FakeEventBridge.SecretAccessKey, "session-token");

        var report = await new LeadEventPublisher(new EventBridgeHttpClient(http, options, credentials), options).PublishAsync(Leads(1));

        Assert.Single(report.Published);
        Assert.Contains("x-amz-security-token", bus.Requests[0].SignedHeaders, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeadThatIsNotAnObject_FailsWithoutARequest()
    {
        await using var bus = await FakeEventBridge.StartAsync();
        using var http = new HttpClient();

        var report = await Publisher(bus, http).PublishAsync(["[1]", "{\"name\":"]);

        Assert.Equal(0, report.Requests);
        Assert.All(report.Failed, f => Assert.Equal("MalformedDetail", f.ErrorCode));
    }

    [Fact]
    public async Task LargeLeads_AreSplitBy256KB()
    {
        await using var bus = await FakeEventBridge.StartAsync();
        using var http = new HttpClient();
        var big = Enumerable.Range(0, 4).Select(i => $"{{\"n\":{i},\"notes\":\"{new string('x', 100 * 1024)}\"}}").ToList();

        var report = await Publisher(bus, http).PublishAsync(big);

        Assert.Equal(4, report.Published.Count);
        Assert.Equal([2, 2], bus.Requests.Select(r => r.Entries.Count));
    }

    [Fact]
    public void Credentials_DoNotPrintTheSecret() =>
        Assert.DoesNotContain("s3cr3t", new AwsCredentials("AKID", "s3cr3t", "tok").ToString(), StringComparison.Ordinal);

    private static PublisherOptions Options(FakeEventBridge bus, int maxAttempts = 5) => new()
    {
        EventBusName = "leads-bus",
        Region = FakeEventBridge.Region,
        ServiceUrl = bus.Endpoint.ToString(),
        MaxAttempts = maxAttempts,
        RetryBaseDelayMilliseconds = 10,
    };

    private static LeadEventPublisher Publisher(FakeEventBridge bus, HttpClient http, int maxAttempts = 5)
    {
        var options = Options(bus, maxAttempts);
        return new LeadEventPublisher(new EventBridgeHttpClient(http, options, new AwsCredentials(FakeEventBridge.AccessKeyId, FakeEventBridge.SecretAccessKey)), options);
    }

    private static List<string> Leads(int count) =>
        Enumerable.Range(0, count).Select(i => $"{{\"n\":{i},\"name\":\"Lead {i}\"}}").ToList();
}
