using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LeadFlow.Crm.Backend.Data.Migrations
{
    /// <inheritdoc />
    public partial class LeadFailureEvent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "event",
                table: "lead_failures",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "event",
                table: "lead_failures");
        }
    }
}
