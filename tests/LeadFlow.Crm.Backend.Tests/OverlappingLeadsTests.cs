using System.Net;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>Issue 11: leads of one person overlap; a compensation never deletes what another lead run relies on.</summary>
public sealed class OverlappingLeadsTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task E1CompensatesAfterE2CompletedOnItsRows_EveryIdE2GotStillExists()
    {
        var rut = Ruts.Next();
        var (e1, e2) = (LeadRunKeys.New("e1"), LeadRunKeys.New("e2"));

        var c1 = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        var p1 = await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, e1.Key(LeadRunKeys.Partner));
        var c2 = await http.PostJsonAsync("/create_client", Api.Client(rut), e2.Key(LeadRunKeys.Client));
        var p2 = await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, e2.Key(LeadRunKeys.Partner));
        var b2 = await http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = true }, e2.Key(LeadRunKeys.Benefit));
        Assert.True(c1.Created() && p1.Created() && b2.Created());
        Assert.False(c2.Created() || p2.Created());
        Assert.Equal([e1.Holder, e2.Holder], c2.Holders());
        Assert.Equal([e1.Holder, e2.Holder], p2.Holders());
        Assert.Equal([e2.Holder], b2.Holders());

        // E1 is refused at CreateBenefit (its request never wrote anything) and compensates, newest first.
        var undoBenefit = await http.UndoAsync(e1.Key(LeadRunKeys.Benefit));
        var undoPartner = await http.UndoAsync(e1.Key(LeadRunKeys.Partner));
        var undoClient = await http.UndoAsync(e1.Key(LeadRunKeys.Client));

        Assert.Equal(HttpStatusCode.OK, undoBenefit.Status);
        Assert.Equal("nothing-to-undo", undoBenefit.Outcome());
        foreach (var (undo, id) in new[] { (undoPartner, p1.Id()), (undoClient, c1.Id()) })
        {
            Assert.Equal(HttpStatusCode.OK, undo.Status);
            Assert.Equal("kept", undo.Outcome());
            Assert.StartsWith($"kept: {e2.LeadId} (run {e2.RunId}) relies on it", undo.Message(), StringComparison.Ordinal);
            Assert.Equal([e2.Holder], undo.Holders("keptFor"));
            Assert.Equal(id, undo.Id());
        }

        Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/clients/{c2.Id()}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/partners/{p2.Id()}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/benefits/{b2.Id()}")).Status);
        Assert.Equal([e2.Holder], (await http.ReadAsync($"/clients/{c2.Id()}/holders")).Holders());
    }

    [Fact]
    public async Task HoldsOfALead_AreListedNewestFirst_WithWhatItsCompensationReleased()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        var partner = await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, e1.Key(LeadRunKeys.Partner));
        await http.UndoAsync(e1.Key(LeadRunKeys.Partner));

        var holds = (await http.ReadAsync($"/holds?leadId={e1.LeadId}&runId={e1.RunId}")).Json.EnumerateArray().ToList();

        Assert.Equal([("partner", partner.Id(), true), ("client", client.Id(), false)], holds.Select(h => (h.GetProperty("entity").GetString(), h.GetProperty("rowId").GetInt64(), h.GetProperty("releasedAt").ValueKind == System.Text.Json.JsonValueKind.String)));
        Assert.All(holds, h => Assert.True(h.GetProperty("created").GetBoolean()));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.ReadAsync("/holds")).Status);
    }

    [Fact]
    public async Task UndoByARunThatWroteNothing_SaysNothingToUndo_AndLeavesTheRowAndItsHolders()
    {
        var rut = Ruts.Next();
        var (e1, e3) = (LeadRunKeys.New("e1"), LeadRunKeys.New("e3"));
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));

        var undo = await http.UndoAsync(e3.Key(LeadRunKeys.Client));

        Assert.Equal(HttpStatusCode.OK, undo.Status);
        Assert.Equal("nothing-to-undo", undo.Outcome());
        Assert.Equal([e1.Holder], (await http.ReadAsync($"/clients/{client.Id()}/holders")).Holders());
    }

    [Fact]
    public async Task UndoByARunThatFoundTheRow_KeepsItForItsCreator()
    {
        var rut = Ruts.Next();
        var (e1, e2) = (LeadRunKeys.New("e1"), LeadRunKeys.New("e2"));
        var created = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        await http.PostJsonAsync("/create_client", Api.Client(rut), e2.Key(LeadRunKeys.Client));

        var undo = await http.UndoAsync(e2.Key(LeadRunKeys.Client));

        Assert.Equal("kept", undo.Outcome());
        Assert.StartsWith($"kept: {e1.LeadId} (run {e1.RunId}) relies on it", undo.Message(), StringComparison.Ordinal);
        Assert.Equal([e1.Holder], (await http.ReadAsync($"/clients/{created.Id()}/holders")).Holders());
    }

    [Fact]
    public async Task UndoOfTheCreator_WhileAnotherRunHoldsTheRow_KeepsIt_ThenTheLastReleaseDeletesIt()
    {
        var rut = Ruts.Next();
        var (e1, e2) = (LeadRunKeys.New("e1"), LeadRunKeys.New("e2"));
        var created = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        await http.PostJsonAsync("/create_client", Api.Client(rut), e2.Key(LeadRunKeys.Client));

        var first = await http.UndoAsync(e1.Key(LeadRunKeys.Client));
        var last = await http.UndoAsync(e2.Key(LeadRunKeys.Client));

        Assert.Equal("kept", first.Outcome());
        // A lead run created it and every run that relied on it has compensated: as if none of them had happened.
        Assert.Equal("deleted", last.Outcome());
        Assert.Contains($"created by {e1.LeadId} (run {e1.RunId}), which released it", last.Message(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.ReadAsync($"/clients/{created.Id()}")).Status);
    }

    [Fact]
    public async Task RowStoredBeforeAnyLeadRun_IsNeverDeletedByACompensation()
    {
        var rut = Ruts.Next();
        var existing = await http.CreateClientAsync(rut);
        var e1 = LeadRunKeys.New("e1");
        await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));

        var undo = await http.UndoAsync(e1.Key(LeadRunKeys.Client));

        Assert.Equal("kept", undo.Outcome());
        Assert.Contains("stored before any lead run created it", undo.Message(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/clients/{existing}")).Status);
    }

    [Fact]
    public async Task ClientUndoneBeforeItsOwnRunsPartner_Is409AndChangesNothing()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, e1.Key(LeadRunKeys.Partner));

        var outOfOrder = await http.UndoAsync(e1.Key(LeadRunKeys.Client));
        Assert.Equal(HttpStatusCode.Conflict, outOfOrder.Status);
        Assert.Contains(("idempotencyKey", "compensation.order"), outOfOrder.Rules);
        Assert.Equal([e1.Holder], (await http.ReadAsync($"/clients/{client.Id()}/holders")).Holders());

        Assert.Equal("deleted", (await http.UndoAsync(e1.Key(LeadRunKeys.Partner))).Outcome());
        Assert.Equal("deleted", (await http.UndoAsync(e1.Key(LeadRunKeys.Client))).Outcome());
        Assert.Equal(0, await CountAsync("clients", rut));
    }

    [Fact]
    public async Task ClientWithAPartnerNoLeadRunHolds_IsKept_NeverLeftDangling()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        var partner = await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" });

        var undo = await http.UndoAsync(e1.Key(LeadRunKeys.Client));

        Assert.Equal("kept", undo.Outcome());
        Assert.Contains($"partner {partner.Id()} still reference(s) it", undo.Message(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/clients/{client.Id()}")).Status);
    }

    [Fact]
    public async Task PlainDeleteById_OfARowAnotherLeadRunHolds_Is409_AsOldClientsCompensate()
    {
        var rut = Ruts.Next();
        var (e1, e2) = (LeadRunKeys.New("e1"), LeadRunKeys.New("e2"));
        await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));
        var partner = await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, e1.Key(LeadRunKeys.Partner));
        await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, e2.Key(LeadRunKeys.Partner));

        var refused = await http.RemoveAsync($"/partners/{partner.Id()}");

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains(("id", "partner.held"), refused.Rules);
        Assert.Contains(e2.LeadId, refused.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/partners/{partner.Id()}")).Status);
    }

    [Fact]
    public async Task PlainDeleteById_OfARowOnlyItsCreatorHolds_Deletes()
    {
        var rut = Ruts.Next();
        var e1 = LeadRunKeys.New("e1");
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), e1.Key(LeadRunKeys.Client));

        var deleted = await http.RemoveAsync($"/clients/{client.Id()}");

        Assert.True(deleted.Json.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await http.ReadAsync($"/clients/{client.Id()}/holders")).Status);
    }

    [Fact]
    public async Task LeadRunNamedByHeaders_HoldsTheRow_WhateverTheKeyLooksLike()
    {
        var rut = Ruts.Next();
        var headers = new Dictionary<string, string> { ["X-Lead-Id"] = "lead-from-headers", ["X-Run-Id"] = "run-7" };

        var answer = await http.SendAsync(HttpMethod.Post, "/create_client", System.Text.Json.JsonSerializer.Serialize(Api.Client(rut)), idempotencyKey: Guid.NewGuid().ToString(), headers: headers);
        var half = await http.SendAsync(HttpMethod.Post, "/create_client", System.Text.Json.JsonSerializer.Serialize(Api.Client(rut)), headers: new Dictionary<string, string> { ["X-Lead-Id"] = "lead-x" });

        Assert.Equal([("lead-from-headers", "run-7")], answer.Holders());
        Assert.Equal(HttpStatusCode.BadRequest, half.Status);
        Assert.Contains(("X-Run-Id", "leadRun.required"), half.Rules);
    }

    [Fact]
    public async Task KeyOfAnotherForm_StillHolds_WithNoLeadRunNamed()
    {
        var rut = Ruts.Next();
        var key = Guid.NewGuid().ToString();
        var client = await http.PostJsonAsync("/create_client", Api.Client(rut), key);
        var e2 = LeadRunKeys.New("e2");
        await http.PostJsonAsync("/create_client", Api.Client(rut), e2.Key(LeadRunKeys.Client));

        var undo = await http.UndoAsync(e2.Key(LeadRunKeys.Client));

        Assert.Equal([(null, null)], client.Holders());
        Assert.Equal("kept", undo.Outcome());
        Assert.Contains($"the create under Idempotency-Key '{key}' relies on it", undo.Message(), StringComparison.Ordinal);
    }

    private async Task<long> CountAsync(string table, string rut)
    {
        await using var connection = new Npgsql.NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM {table} WHERE rut = $1", connection) { Parameters = { new() { Value = rut } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
