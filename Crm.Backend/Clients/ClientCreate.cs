using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Clients;

/// <summary>
/// The body of <c>POST /create_client</c>, as the original clients send it (phone may also be a JSON number), plus the
/// optional <c>eventTime</c>: when the lead's event happened (RFC 3339, the bus event's <c>time</c>), recorded with
/// any difference from the stored row.
/// </summary>
public sealed record CreateClientRequest(string Name, string Lastname, string Rut, string Mail, string Phone, DateTimeOffset? EventTime = null);

/// <summary>A validated client: RUT normalised, text trimmed.</summary>
public sealed record NewClient(string Name, string Lastname, string Rut, string Mail, string Phone);

/// <summary>A client row per RUT.</summary>
public sealed class ClientCreate : IHeldRowCreate<NewClient>
{
    public string Entity => Kind.Entity;

    public HeldRowKind Kind => HeldRowKind.Client;

    public JsonTypeInfo<NewClient> CommandJson => CrmJsonContext.Default.NewClient;

    /// <summary>
    /// Names are compared exactly and never logged; a mail ignoring case (mailbox names are case-insensitive in
    /// practice, RFC 5321 section 2.4 notwithstanding); a phone by its digits, so <c>+56 9 5454 5454</c> equals <c>56954545454</c>.
    /// </summary>
    public IReadOnlyList<ComparedField<NewClient>> ComparedFields { get; } =
    [
        new("name", c => c.Name, static (a, b) => string.Equals(a, b, StringComparison.Ordinal), static _ => "(not logged)"),
        new("lastname", c => c.Lastname, static (a, b) => string.Equals(a, b, StringComparison.Ordinal), static _ => "(not logged)"),
        new("mail", c => c.Mail, static (a, b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase), PersonalData.MaskMail),
        new("phone", c => c.Phone, static (a, b) => Digits(a) == Digits(b), PersonalData.MaskPhone),
    ];

    public string RutOf(NewClient command) => command.Rut;

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
            $"SELECT id, name, lastname, mail, phone FROM clients WHERE rut = {client.Rut} FOR KEY SHARE",
            cancellationToken);
        return stored is not null
            ? CreateOutcome.Stored(stored.Id, stored.Created, stored.StoredValues)
            : throw new InvalidOperationException("A client row was neither inserted nor found twice in a row.");
    }

    public string Describe(NewClient client) =>
        $"rut {PersonalData.MaskRut(client.Rut)}, mail {PersonalData.MaskMail(client.Mail)}, phone {PersonalData.MaskPhone(client.Phone)}";

    private static string Digits(string phone) => string.Concat(phone.Where(char.IsAsciiDigit));
}
