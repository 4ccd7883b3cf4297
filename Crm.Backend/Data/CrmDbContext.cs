using LeadFlow.Leads;
using Microsoft.EntityFrameworkCore;

namespace LeadFlow.Crm.Backend.Data;

/// <summary>The legacy CRM's tables. Table and column names are snake_case, as the CRM's reports expect.</summary>
public sealed class CrmDbContext(DbContextOptions<CrmDbContext> options) : DbContext(options)
{
    public const int RutLength = 12;
    public const int MaxIdempotencyKeyLength = 200;
    public const int MaxLeadIdLength = LeadFailureLimits.LeadId;
    public const int MaxRunIdLength = 200;
    public const int MaxEntityLength = 16;
    public const int MaxFieldNameLength = 32;

    public DbSet<ClientRow> Clients => Set<ClientRow>();

    public DbSet<PartnerRow> Partners => Set<PartnerRow>();

    public DbSet<BenefitRow> Benefits => Set<BenefitRow>();

    public DbSet<BranchNotificationRow> BranchNotifications => Set<BranchNotificationRow>();

    public DbSet<LeadFailureRow> LeadFailures => Set<LeadFailureRow>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<RowHold> RowHolds => Set<RowHold>();

    public DbSet<CompensationRecord> Compensations => Set<CompensationRecord>();

    public DbSet<LeadDifferenceRow> LeadDifferences => Set<LeadDifferenceRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ClientRow>(client =>
        {
            client.ToTable("clients");
            client.Property(c => c.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            client.Property(c => c.Rut).HasColumnName("rut").HasMaxLength(RutLength);
            client.Property(c => c.Name).HasColumnName("name").HasMaxLength(LeadFields.MaxNameLength);
            client.Property(c => c.Lastname).HasColumnName("lastname").HasMaxLength(LeadFields.MaxNameLength);
            client.Property(c => c.Mail).HasColumnName("mail").HasMaxLength(LeadFields.MaxMailLength);
            client.Property(c => c.Phone).HasColumnName("phone").HasMaxLength(LeadFields.MaxPhoneLength);
            client.Property(c => c.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            client.HasIndex(c => c.Rut).IsUnique().HasDatabaseName("ux_clients_rut");
        });

        modelBuilder.Entity<BranchNotificationRow>(notification =>
        {
            notification.ToTable("branch_notifications");
            notification.Property(n => n.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            notification.Property(n => n.ClientId).HasColumnName("client_id");
            notification.Property(n => n.Rut).HasColumnName("rut").HasMaxLength(RutLength);
            notification.Property(n => n.Store).HasColumnName("store").HasMaxLength(LeadFields.MaxStoreLength);
            notification.Property(n => n.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            notification.HasIndex(n => n.Rut).IsUnique().HasDatabaseName("ux_branch_notifications_rut");
            notification.HasOne<ClientRow>().WithMany().HasForeignKey(n => n.ClientId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_branch_notifications_client");
        });

        modelBuilder.Entity<PartnerRow>(partner =>
        {
            partner.ToTable("partners");
            partner.Property(p => p.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            partner.Property(p => p.ClientId).HasColumnName("client_id");
            partner.Property(p => p.Rut).HasColumnName("rut").HasMaxLength(RutLength);
            partner.Property(p => p.Store).HasColumnName("store").HasMaxLength(LeadFields.MaxStoreLength);
            partner.Property(p => p.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            partner.HasIndex(p => p.Rut).IsUnique().HasDatabaseName("ux_partners_rut");
            partner.HasOne<ClientRow>().WithMany().HasForeignKey(p => p.ClientId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_partners_client");
        });

        modelBuilder.Entity<BenefitRow>(benefit =>
        {
            benefit.ToTable("benefits");
            benefit.Property(b => b.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            benefit.Property(b => b.ClientId).HasColumnName("client_id");
            benefit.Property(b => b.Rut).HasColumnName("rut").HasMaxLength(RutLength);
            benefit.Property(b => b.WantsBenefit).HasColumnName("wants_benefit");
            benefit.Property(b => b.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            benefit.HasIndex(b => b.Rut).IsUnique().HasDatabaseName("ux_benefits_rut");
            benefit.HasOne<ClientRow>().WithMany().HasForeignKey(b => b.ClientId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_benefits_client");
        });

        modelBuilder.Entity<LeadFailureRow>(failure =>
        {
            failure.ToTable("lead_failures");
            failure.Property(f => f.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            failure.Property(f => f.LeadId).HasColumnName("lead_id").HasMaxLength(LeadFailureLimits.LeadId);
            failure.Property(f => f.Step).HasColumnName("step").HasMaxLength(LeadFailureLimits.Step);
            failure.Property(f => f.Reason).HasColumnName("reason").HasMaxLength(LeadFailureLimits.Reason);
            failure.Property(f => f.PayloadReference).HasColumnName("payload_reference").HasMaxLength(LeadFailureLimits.PayloadReference);
            failure.Property(f => f.Errors).HasColumnName("errors").HasColumnType("jsonb");
            failure.Property(f => f.Compensations).HasColumnName("compensations").HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
            failure.Property(f => f.Event).HasColumnName("event");
            failure.Property(f => f.RecordedAt).HasColumnName("recorded_at").HasDefaultValueSql("now()");
            failure.HasIndex(f => new { f.LeadId, f.Id }).HasDatabaseName("ix_lead_failures_lead_id");
        });

        modelBuilder.Entity<IdempotencyRecord>(record =>
        {
            record.ToTable("idempotency_keys");
            record.HasKey(r => r.Key);
            record.Property(r => r.Key).HasColumnName("key").HasMaxLength(MaxIdempotencyKeyLength);
            record.Property(r => r.RequestHash).HasColumnName("request_hash").HasMaxLength(64);
            record.Property(r => r.Request).HasColumnName("request");
            record.Property(r => r.Answer).HasColumnName("answer");
            record.Property(r => r.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            // The retention purge walks it (Retention/IdempotencyPurge).
            record.HasIndex(r => r.CreatedAt).HasDatabaseName("ix_idempotency_keys_created_at");
        });

        modelBuilder.Entity<RowHold>(hold =>
        {
            hold.ToTable("row_holds");
            hold.HasKey(h => h.IdempotencyKey);
            hold.Property(h => h.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(MaxIdempotencyKeyLength);
            hold.Property(h => h.Entity).HasColumnName("entity").HasMaxLength(MaxEntityLength);
            hold.Property(h => h.RowId).HasColumnName("row_id");
            hold.Property(h => h.LeadId).HasColumnName("lead_id").HasMaxLength(MaxLeadIdLength);
            hold.Property(h => h.RunId).HasColumnName("run_id").HasMaxLength(MaxRunIdLength);
            hold.Property(h => h.Created).HasColumnName("created");
            hold.Property(h => h.HeldAt).HasColumnName("held_at").HasDefaultValueSql("now()");
            hold.Property(h => h.ReleasedAt).HasColumnName("released_at");
            // Rows, not keys, are what compensations ask about: "who else relies on this row?"
            hold.HasIndex(h => new { h.Entity, h.RowId }).HasDatabaseName("ix_row_holds_row");
            hold.HasIndex(h => new { h.LeadId, h.RunId }).HasDatabaseName("ix_row_holds_lead_run");
        });

        modelBuilder.Entity<CompensationRecord>(compensation =>
        {
            compensation.ToTable("compensations");
            compensation.HasKey(c => c.IdempotencyKey);
            compensation.Property(c => c.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(MaxIdempotencyKeyLength);
            compensation.Property(c => c.Answer).HasColumnName("answer");
            compensation.Property(c => c.CompensatedAt).HasColumnName("compensated_at").HasDefaultValueSql("now()");
        });

        modelBuilder.Entity<LeadDifferenceRow>(difference =>
        {
            difference.ToTable("lead_differences");
            difference.Property(d => d.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            difference.Property(d => d.LeadId).HasColumnName("lead_id").HasMaxLength(MaxLeadIdLength);
            difference.Property(d => d.RunId).HasColumnName("run_id").HasMaxLength(MaxRunIdLength);
            difference.Property(d => d.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(MaxIdempotencyKeyLength);
            difference.Property(d => d.Entity).HasColumnName("entity").HasMaxLength(MaxEntityLength);
            difference.Property(d => d.RowId).HasColumnName("row_id");
            difference.Property(d => d.Rut).HasColumnName("rut").HasMaxLength(RutLength);
            difference.Property(d => d.Field).HasColumnName("field").HasMaxLength(MaxFieldNameLength);
            difference.Property(d => d.StoredValue).HasColumnName("stored_value");
            difference.Property(d => d.SubmittedValue).HasColumnName("submitted_value");
            difference.Property(d => d.EventTime).HasColumnName("event_time");
            difference.Property(d => d.RecordedAt).HasColumnName("recorded_at").HasDefaultValueSql("now()");
            difference.Property(d => d.CompensatedAt).HasColumnName("compensated_at");
            difference.HasIndex(d => new { d.LeadId, d.Id }).HasDatabaseName("ix_lead_differences_lead_id");
            difference.HasIndex(d => new { d.Rut, d.Id }).HasDatabaseName("ix_lead_differences_rut");
            difference.HasIndex(d => d.IdempotencyKey).HasDatabaseName("ix_lead_differences_idempotency_key");
        });
    }
}
