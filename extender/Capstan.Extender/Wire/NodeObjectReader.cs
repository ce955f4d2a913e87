using System.Text.Json;
using Capstan.Core.Scheduling;

namespace Capstan.Extender.Wire;

/// <summary>
/// Reads, in one pass over a Node object's bytes, its <c>metadata.name</c> and the <see cref="NodeObjectState"/>
/// filter acts on. Keys are matched exactly (the scheduler writes the Go field names); when a key repeats, the
/// last one wins, as with the serializer. Anything else is skipped without being decoded.
/// </summary>
internal static class NodeObjectReader
{
    private static readonly byte[] s_disruptionTaint = System.Text.Encoding.UTF8.GetBytes(Labels.DisruptionTaint);

    /// <summary>The node's name, or null when it has none; <paramref name="state"/> is what the object says.</summary>
    public static string? Read(ReadOnlySpan<byte> node, out NodeObjectState state)
    {
        state = NodeObjectState.None;
        var reader = new Utf8JsonReader(node);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? name = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            var isSpec = !isMetadata && reader.ValueTextEquals("spec"u8);
            reader.Read();
            if (isMetadata)
            {
                state &= ~NodeObjectState.Deleting;
                name = reader.TokenType == JsonTokenType.StartObject ? ReadMetadata(ref reader, ref state) : null;
            }
            else if (isSpec)
            {
                state &= ~(NodeObjectState.Unschedulable | NodeObjectState.DisruptionTaint);
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadSpec(ref reader, ref state);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return name;
    }

    private static string? ReadMetadata(ref Utf8JsonReader reader, ref NodeObjectState state)
    {
        string? name = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isName = reader.ValueTextEquals("name"u8);
            var isDeletion = !isName && reader.ValueTextEquals("deletionTimestamp"u8);
            reader.Read();
            if (isName)
            {
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (isDeletion)
            {
                state = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0
                    ? state | NodeObjectState.Deleting
                    : state & ~NodeObjectState.Deleting;
            }

            reader.Skip();
        }

        return name;
    }

    private static void ReadSpec(ref Utf8JsonReader reader, ref NodeObjectState state)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUnschedulable = reader.ValueTextEquals("unschedulable"u8);
            var isTaints = !isUnschedulable && reader.ValueTextEquals("taints"u8);
            reader.Read();
            if (isUnschedulable)
            {
                state = reader.TokenType == JsonTokenType.True
                    ? state | NodeObjectState.Unschedulable
                    : state & ~NodeObjectState.Unschedulable;
            }
            else if (isTaints)
            {
                state = reader.TokenType == JsonTokenType.StartArray && HasDisruptionTaint(ref reader)
                    ? state | NodeObjectState.DisruptionTaint
                    : state & ~NodeObjectState.DisruptionTaint;
            }

            reader.Skip();
        }
    }

    /// <summary>Reads the taints array to its end; true when one of them has the disruption key.</summary>
    private static bool HasDisruptionTaint(ref Utf8JsonReader reader)
    {
        var found = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var key = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals("key"u8);
                reader.Read();
                if (isKey)
                {
                    key = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(s_disruptionTaint);
                }

                reader.Skip();
            }

            found |= key;
        }

        return found;
    }
}
