using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LeadFlow.Crm.Backend.Data.Migrations
{
    /// <inheritdoc />
    public partial class LeadFailureCompensations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "compensations",
                table: "lead_failures",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "compensations",
                table: "lead_failures");
        }
    }
}
