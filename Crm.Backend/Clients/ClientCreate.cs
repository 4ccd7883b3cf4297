using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Clients;

/// <summary>The body of <c>POST /create_client</c>, as the original clients send it (phone may also be a JSON number).</summary>
public sealed record CreateClientRequest(string Name, string Lastname, string Rut, string Mail, string Phone);

public sealed record NewClient(string Name, string Lastname, string Rut, string Mail, string Phone);

/// <summary>A client row per RUT.</summary>
public sealed class ClientCreate : ICreateDefinition<NewClient>
{
    public string Entity => "client";

    public bool TryRead(JsonElement body, [NotNullWhen(true)] out NewClient? command, out IReadOnlyList<FieldError> errors)
    {
        command = null;
        if (BodyFields.Of(body, out errors) is not { } fields)
        {
            return false;
        }

        var name = fields.Text("name", LeadFields.Name);
        var lastname = fields.Text("lastname", LeadFields.Name);
        var rut = fields.Rut();
        var mail = fields.Text("mail", LeadFields.Mail);
        var phone = fields.Text("phone", LeadFields.Phone);
        errors = fields.Errors;
        if (errors.Count > 0)
        {
            return false;
        }

        command = new NewClient(name!, lastname!, rut!, mail!, phone!);
        return true;
    }

    public async Task<CreateOutcome> InsertAsync(SqlSession sql, NewClient client, CancellationToken cancellationToken)
    {
        var stored = await NaturalKeyInsert.RunAsync(
            sql,
            $"INSERT INTO clients (rut, name, lastname, mail, phone) VALUES ({client.Rut}, {client.Name}, {client.Lastname}, {client.Mail}, {client.Phone}) ON CONFLICT (rut) DO NOTHING RETURNING id",
            $"SELECT id FROM clients WHERE rut = {client.Rut}",
            cancellationToken);
        return stored is var (id, created)
            ? CreateOutcome.Stored(id, created)
            : throw new InvalidOperationException("A client row was neither inserted nor found twice in a row.");
    }

    public string Describe(NewClient client) =>
        $"rut {PersonalData.MaskRut(client.Rut)}, mail {PersonalData.MaskMail(client.Mail)}, phone {PersonalData.MaskPhone(client.Phone)}";
}
