using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// Source-generated JSON for the create answer, written on every create and stored for Idempotency-Key
/// replays; web defaults (camelCase), as the reflection-based serializer wrote it before.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateAnswer))]
public sealed partial class CrmJsonContext : JsonSerializerContext;
