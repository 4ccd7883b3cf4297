using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeadFlow.Steps.Crm;

/// <summary>Source-generated JSON for every body of <see cref="ICrmApi"/>; camelCase, the contract's spelling.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateClientRequest))]
[JsonSerializable(typeof(CreatePartnerRequest))]
[JsonSerializable(typeof(CreateBenefitRequest))]
[JsonSerializable(typeof(NotifyBranchRequest))]
[JsonSerializable(typeof(BranchNotificationRecord))]
[JsonSerializable(typeof(CrmWriteAnswer))]
[JsonSerializable(typeof(CrmKeyScope))]
[JsonSerializable(typeof(RutLookupRequest))]
[JsonSerializable(typeof(LeadFailureRequest))]
[JsonSerializable(typeof(LeadFailurePage))]
[JsonSerializable(typeof(ClientRecord))]
[JsonSerializable(typeof(PartnerRecord))]
[JsonSerializable(typeof(BenefitRecord))]
[JsonSerializable(typeof(CompensationRequest))]
[JsonSerializable(typeof(CompensationAnswer))]
[JsonSerializable(typeof(IReadOnlyList<HoldRecord>))]
[JsonSerializable(typeof(LeadDifferencePage))]
public sealed partial class CrmJsonContext : JsonSerializerContext;
