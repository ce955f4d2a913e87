using System.Text.Json.Serialization;

namespace Capstan.Host.Status;

/// <summary>Source-generated, camelCase JSON for <c>GET /api/status</c>, independent of the host's JSON settings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StatusSnapshot))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
