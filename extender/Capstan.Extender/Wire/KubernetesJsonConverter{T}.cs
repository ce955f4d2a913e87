using System.Text.Json;
using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>
/// Reads and writes an embedded Kubernetes object (Pod, Node) with KubernetesClient's own serializer
/// settings (camelCase, quantities, RFC 3339 timestamps), inside the PascalCase extender envelope.
/// </summary>
public sealed class KubernetesJsonConverter<T> : JsonConverter<T>
    where T : class
{
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize<T>(ref reader, KubernetesJsonOptions.Instance);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, KubernetesJsonOptions.Instance);
}
