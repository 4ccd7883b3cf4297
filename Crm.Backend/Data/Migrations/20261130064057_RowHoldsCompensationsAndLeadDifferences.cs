using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LeadFlow.Crm.Backend.Data.Migrations
{
    /// <inheritdoc />
    public partial class RowHoldsCompensationsAndLeadDifferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "request",
                table: "idempotency_keys",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "compensations",
                columns: table => new
                {
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    answer = table.Column<string>(type: "text", nullable: false),
                    compensated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_compensations", x => x.idempotency_key);
                });

            migrationBuilder.CreateTable(
                name: "lead_differences",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    lead_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    run_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    entity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    row_id = table.Column<long>(type: "bigint", nullable: false),
                    rut = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    field = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    stored_value = table.Column<string>(type: "text", nullable: false),
                    submitted_value = table.Column<string>(type: "text", nullable: false),
                    event_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    compensated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lead_differences", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "row_holds",
                columns: table => new
                {
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    entity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    row_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    run_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created = table.Column<bool>(type: "boolean", nullable: false),
                    held_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    released_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_row_holds", x => x.idempotency_key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_lead_differences_idempotency_key",
                table: "lead_differences",
                column: "idempotency_key");

            migrationBuilder.CreateIndex(
                name: "ix_lead_differences_lead_id",
                table: "lead_differences",
                columns: new[] { "lead_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_differences_rut",
                table: "lead_differences",
                columns: new[] { "rut", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_row_holds_lead_run",
                table: "row_holds",
                columns: new[] { "lead_id", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_row_holds_row",
                table: "row_holds",
                columns: new[] { "entity", "row_id" });

            // Written by hand: creates made before holds were tracked become holds, so a run that completed before
            // this migration keeps its rows from later compensations. Their stored answers name the entity
            // ("Client created", "Partner already existed") and the row id; lead and run come from keys of the
            // form lead-<event id>:<run id>:<step>. Lead failure records hold nothing.
            migrationBuilder.Sql("""
                INSERT INTO row_holds (idempotency_key, entity, row_id, lead_id, run_id, created, held_at)
                SELECT k.key,
                       lower(split_part(k.answer::jsonb->>'message', ' ', 1)),
                       (k.answer::jsonb->>'id')::bigint,
                       substring(k.key from '^(lead-.+):[^:]+:[^:]+$'),
                       substring(k.key from '^lead-.+:([^:]+):[^:]+$'),
                       (k.answer::jsonb->>'created')::boolean,
                       k.created_at
                FROM idempotency_keys k
                WHERE k.answer::jsonb->>'message' ~ '^(Client|Partner|Benefit) (created|already existed)$'
                ON CONFLICT DO NOTHING;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "compensations");

            migrationBuilder.DropTable(
                name: "lead_differences");

            migrationBuilder.DropTable(
                name: "row_holds");

            migrationBuilder.DropColumn(
                name: "request",
                table: "idempotency_keys");
        }
    }
}
