using System.Net;
using LeadFlow.TestSupport;
using Npgsql;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary><c>POST /compensations</c>: idempotent, safe for rows already gone, for keys never seen and for creates still running.</summary>
public sealed class UndoByKeyTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task UndoTwice_GivesTheSameAnswer()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));

        var first = await http.UndoAsync(e1.Key(LeadRunKeys.Client));
        var again = await http.UndoAsync(e1.Key(LeadRunKeys.Client));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("deleted", first.Outcome());
        Assert.Equal(client.Id(), first.Id());
        Assert.Equal(first.Text, again.Text);
        Assert.Equal("true", again.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.NotFound, (await http.ReadAsync($"/clients/{client.Id()}")).Status);
    }

    [Fact]
    public async Task UndoOfARowAlreadyGone_CountsAsUndone()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        Assert.True((await http.RemoveAsync($"/clients/{client.Id()}")).Json.GetProperty("deleted").GetBoolean());

        var undo = await http.UndoAsync(e1.Key(LeadRunKeys.Client));

        Assert.Equal(HttpStatusCode.OK, undo.Status);
        Assert.Equal("already-gone", undo.Outcome());
        Assert.Equal(client.Id(), undo.Id());
    }

    [Fact]
    public async Task UndoOfAKeyThatNeverArrived_ThenTheLateCreate_WritesNoRowAndSaysItWasCompensated()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");

        var undo = await http.UndoAsync(e1.Key(LeadRunKeys.Client));
        var late = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));

        Assert.Equal("nothing-to-undo", undo.Outcome());
        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.Contains(("Idempotency-Key", "idempotencyKey.compensated"), late.Rules);
        Assert.Contains("compensated", late.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.FindByRutAsync("clients", rut)).Status);
    }

    [Fact]
    public async Task RetriedCreateAfterItsUndo_IsRefused_AndWritesNothing()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");
        await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        await http.UndoAsync(e1.Key(LeadRunKeys.Client));

        var retried = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));

        Assert.Equal(HttpStatusCode.Conflict, retried.Status);
        Assert.Contains(("Idempotency-Key", "idempotencyKey.compensated"), retried.Rules);
        Assert.Equal(HttpStatusCode.NotFound, (await http.FindByRutAsync("clients", rut)).Status);
    }

    [Fact]
    public async Task UndoRacingASlowCreateUnderItsKey_WaitsForIt_ThenRemovesWhatItCommitted()
    {
        var rut = Ruts.Next();
        var key = LeadRunKeys.New("e1").Key(LeadRunKeys.Client);

        // An uncommitted row with the same RUT makes the create wait inside its transaction, its key already locked.
        await using var blocker = new NpgsqlConnection(backend.ConnectionString);
        await blocker.OpenAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO clients (rut, name, lastname, mail, phone) VALUES ($1, 'B', 'B', 'b@example.com', '+56 9 1111 1111')", blocker, blocking) { Parameters = { new() { Value = rut } } })
        {
            await insert.ExecuteNonQueryAsync();
        }

        var create = http.PostJsonAsync("/create_client", Api.Client(rut), key);
        await WaitForAsync("INSERT INTO clients%", "transactionid", create);
        var undo = http.UndoAsync(key);
        // Until the undo waits for the key (or, wrongly, answers without waiting).
        await WaitForAsync("SELECT pg_advisory_xact_lock%", "advisory", undo);
        await blocking.RollbackAsync();

        var created = await create;
        var undone = await undo;
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.True(created.Created());
        Assert.Equal("deleted", undone.Outcome());
        Assert.Equal(created.Id(), undone.Id());
        Assert.Equal(HttpStatusCode.NotFound, (await http.ReadAsync($"/clients/{created.Id()}")).Status);
    }

    [Theory]
    [InlineData("{}", "idempotencyKey", "required")]
    [InlineData("""{"idempotencyKey":"  "}""", "idempotencyKey", "required")]
    [InlineData("""{"idempotencyKey":true}""", "idempotencyKey", "type")]
    [InlineData("[]", "body", "type")]
    public async Task UndoWithoutAKey_Is400(string body, string field, string rule)
    {
        var answer = await http.SendAsync(HttpMethod.Post, "/compensations", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains((field, rule), answer.Rules);
    }

    /// <summary>Waits until a statement of the backend waits on the given lock (pg_stat_activity) or <paramref name="request"/> ended, at most 20 s.</summary>
    private async Task WaitForAsync(string queryLike, string waitEvent, Task request)
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = $1 AND query LIKE $2",
                connection)
            { Parameters = { new() { Value = waitEvent }, new() { Value = queryLike } } };
            if (request.IsCompleted || (long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no statement like '{queryLike}' waited on a {waitEvent} lock within 20 s");
            await Task.Delay(20);
        }
    }
}
