using System.Text.Json;
using System.Text.Json.Serialization;
using LeadFlow.Crm.Backend.Benefits;
using LeadFlow.Crm.Backend.BranchNotifications;
using LeadFlow.Crm.Backend.Clients;
using LeadFlow.Crm.Backend.Compensations;
using LeadFlow.Crm.Backend.LeadFailures;
using LeadFlow.Crm.Backend.Partners;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// Source-generated JSON for the answers written on every create and compensation, stored for replays, and for the
/// commands whose JSON is a request's meaning; web defaults (camelCase), as the reflection-based serializer wrote them before.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateAnswer))]
[JsonSerializable(typeof(CompensationAnswer))]
[JsonSerializable(typeof(NewClient))]
[JsonSerializable(typeof(NewPartner))]
[JsonSerializable(typeof(NewBenefit))]
[JsonSerializable(typeof(NewLeadFailure))]
[JsonSerializable(typeof(NewBranchNotification))]
public sealed partial class CrmJsonContext : JsonSerializerContext;
