namespace LeadFlow.Crm.Backend.Data;

/// <summary>A row found by id or by its natural key, the normalised RUT.</summary>
public interface IRutKeyedRow
{
    long Id { get; }

    string Rut { get; }
}

/// <summary>A row of CLIENTS. <see cref="Rut"/> is normalised (<c>11111111-1</c>) and unique.</summary>
public sealed class ClientRow : IRutKeyedRow
{
    public long Id { get; set; }

    public required string Rut { get; set; }

    public required string Name { get; set; }

    public required string Lastname { get; set; }

    public required string Mail { get; set; }

    public required string Phone { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A row of PARTNERS: the client attached to a store. One partner per client (unique RUT).</summary>
public sealed class PartnerRow : IRutKeyedRow
{
    public long Id { get; set; }

    public long ClientId { get; set; }

    public required string Rut { get; set; }

    public required string Store { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A row of BENEFITS: whether the client opted into the programme. One benefit per client (unique RUT).</summary>
public sealed class BenefitRow : IRutKeyedRow
{
    public long Id { get; set; }

    public long ClientId { get; set; }

    public required string Rut { get; set; }

    public bool WantsBenefit { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A lead that needs a person's attention: which step failed and why.</summary>
public sealed class LeadFailureRow
{
    public long Id { get; set; }

    public required string LeadId { get; set; }

    public required string Step { get; set; }

    public required string Reason { get; set; }

    public string? PayloadReference { get; set; }

    /// <summary>The field errors as a JSON array (jsonb), empty array when none.</summary>
    public required string Errors { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>The first successful answer given under an <c>Idempotency-Key</c>, replayed for later requests with that key.</summary>
public sealed class IdempotencyRecord
{
    public required string Key { get; set; }

    /// <summary>SHA-256 of the method, path and body of the first request: a different request under the same key is refused.</summary>
    public required string RequestHash { get; set; }

    public required string Answer { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
