using System.Text.Json;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// Where the schema walk (<see cref="YamlWalk"/>) puts a value, event by event, in the order JSON would write it:
/// an object's fields by name, a list's items, and the leaves as text, whole numbers, numbers and flags.
/// </summary>
internal interface IModelSink
{
    void StartObject();

    /// <summary>The name of the field (or map key) whose value comes next.</summary>
    void Property(string name);

    void EndObject();

    void StartList();

    void EndList();

    void Null();

    void Text(string value);

    void Whole(long value);

    void Number(double value);

    void Flag(bool value);
}

/// <summary>The walk written as JSON text, for code that takes JSON (the webhook's defaulting, the serializer).</summary>
internal sealed class JsonSink(Utf8JsonWriter writer) : IModelSink
{
    public void StartObject() => writer.WriteStartObject();

    public void Property(string name) => writer.WritePropertyName(name);

    public void EndObject() => writer.WriteEndObject();

    public void StartList() => writer.WriteStartArray();

    public void EndList() => writer.WriteEndArray();

    public void Null() => writer.WriteNullValue();

    public void Text(string value) => writer.WriteStringValue(value);

    public void Whole(long value) => writer.WriteNumberValue(value);

    public void Number(double value) => writer.WriteNumberValue(value);

    public void Flag(bool value) => writer.WriteBooleanValue(value);
}
