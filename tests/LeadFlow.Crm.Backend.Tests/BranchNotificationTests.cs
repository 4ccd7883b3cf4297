using System.Net;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>
/// <c>POST /notify_branch</c> (the optional NotifyBranch step): idempotent by key and by RUT like the other creates, held by
/// the lead run that created it, undone by key (deleted, or kept for another lead run), and undone before its client.
/// </summary>
public sealed class BranchNotificationTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private const string NotifyBranch = "NotifyBranch";
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task Notify_StoresOneNotificationForTheStore_AndARetryUnderTheKeyReplaysTheAnswer()
    {
        var rut = Ruts.Next();
        var run = LeadRunKeys.New("n1");
        await http.PostJsonAsync("/create_client", Api.Client(rut), run.Key(LeadRunKeys.Client));

        var first = await http.PostJsonAsync("/notify_branch", new { rut, store = "ESTACION_CENTRAL" }, run.Key(NotifyBranch));
        var retried = await http.PostJsonAsync("/notify_branch", new { rut, store = "ESTACION_CENTRAL" }, run.Key(NotifyBranch));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.True(first.Created());
        Assert.Equal(first.Text, retried.Text);
        Assert.Equal("true", retried.Response.Headers.GetValues("Idempotent-Replayed").Single());
        var stored = await http.FindByRutAsync("branch_notifications", rut);
        Assert.Equal(HttpStatusCode.OK, stored.Status);
        Assert.Equal(first.Id(), stored.Id());
        Assert.Equal("ESTACION_CENTRAL", stored.Json.GetProperty("store").GetString());
        Assert.Equal([run.Holder], first.Holders());
    }

    [Fact]
    public async Task SecondLeadOfThePerson_FindsTheNotification_AndAnotherStoreIsRecordedAsADifference()
    {
        var rut = Ruts.Next();
        var (first, second) = (LeadRunKeys.New("n2"), LeadRunKeys.New("n3"));
        await http.PostJsonAsync("/create_client", Api.Client(rut), first.Key(LeadRunKeys.Client));
        var created = await http.PostJsonAsync("/notify_branch", new { rut, branch = "ESTACION_CENTRAL" }, first.Key(NotifyBranch));

        var found = await http.PostJsonAsync("/notify_branch", new { rut, store = "MAIPU" }, second.Key(NotifyBranch));

        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.False(found.Created());
        Assert.Equal(created.Id(), found.Id());
        Assert.Equal(["store"], found.DifferingFields());
    }

    [Fact]
    public async Task NotifyForAClientThatDoesNotExist_Is409_AndWritesNothing()
    {
        var rut = Ruts.Next();

        var refused = await http.PostJsonAsync("/notify_branch", new { rut, store = "ESTACION_CENTRAL" }, LeadRunKeys.New("n4").Key(NotifyBranch));

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains(("rut", "client.exists"), refused.Rules);
        Assert.Equal(HttpStatusCode.NotFound, (await http.FindByRutAsync("branch_notifications", rut)).Status);
    }

    [Fact]
    public async Task UndoByKey_DeletesTheNotification_ThenTheClientCanBeUndone()
    {
        var rut = Ruts.Next();
        var run = LeadRunKeys.New("n5");
        await http.PostJsonAsync("/create_client", Api.Client(rut), run.Key(LeadRunKeys.Client));
        var notification = await http.PostJsonAsync("/notify_branch", new { rut, store = "ESTACION_CENTRAL" }, run.Key(NotifyBranch));

        // Newest first: the client cannot go while this run still holds the notification that hangs off it.
        var clientFirst = await http.UndoAsync(run.Key(LeadRunKeys.Client));
        var undoNotification = await http.UndoAsync(run.Key(NotifyBranch));
        var undoClient = await http.UndoAsync(run.Key(LeadRunKeys.Client));

        Assert.Equal(HttpStatusCode.Conflict, clientFirst.Status);
        Assert.Equal("deleted", undoNotification.Outcome());
        Assert.Equal(notification.Id(), undoNotification.Id());
        Assert.Equal("notification", undoNotification.Json.GetProperty("entity").GetString());
        Assert.Equal("deleted", undoClient.Outcome());
        Assert.Equal(HttpStatusCode.NotFound, (await http.FindByRutAsync("branch_notifications", rut)).Status);
    }

    [Fact]
    public async Task UndoOfOneRun_KeepsTheNotificationAnotherRunRelies_On()
    {
        var rut = Ruts.Next();
        var (first, second) = (LeadRunKeys.New("n6"), LeadRunKeys.New("n7"));
        await http.PostJsonAsync("/create_client", Api.Client(rut), first.Key(LeadRunKeys.Client));
        await http.PostJsonAsync("/notify_branch", new { rut, store = "ESTACION_CENTRAL" }, first.Key(NotifyBranch));
        await http.PostJsonAsync("/notify_branch", new { rut, store = "ESTACION_CENTRAL" }, second.Key(NotifyBranch));

        var undo = await http.UndoAsync(first.Key(NotifyBranch));

        Assert.Equal("kept", undo.Outcome());
        Assert.Equal([second.Holder], undo.Holders("keptFor"));
        Assert.Equal(HttpStatusCode.OK, (await http.FindByRutAsync("branch_notifications", rut)).Status);
    }
}
