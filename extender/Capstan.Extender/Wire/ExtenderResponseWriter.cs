using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Capstan.Extender.Wire;

/// <summary>
/// Writes the filter and prioritize answers straight from the verdicts and scores, key for key what
/// <see cref="ExtenderJsonContext"/> writes for <see cref="ExtenderFilterResult"/> and
/// <see cref="HostPriorityList"/> (same keys, order, nulls and escaping), without building them.
/// </summary>
internal static class ExtenderResponseWriter
{
    /// <summary>The longest <see cref="long"/> in decimal: <c>-9223372036854775808</c>.</summary>
    private const int MaxScoreLength = 20;

    private static readonly JsonEncodedText s_emptyObject = JsonEncodedText.Encode("{}");

    public static void WriteFilter(Utf8JsonWriter writer, ReadOnlySpan<byte> body, ExtenderRequest request, ReadOnlySpan<NodeVerdict> verdicts)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("Nodes"u8);
        if (request.NodeNames is null && request.Items is { } items)
        {
            WriteNodeList(writer, body, request.NodesMetadata, items, verdicts);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("NodeNames"u8);
        if (request.NodeNames is { } names)
        {
            WriteKeptNames(writer, names.Nodes, verdicts);
        }
        else
        {
            writer.WriteNullValue();
        }

        WriteFailures(writer, "FailedNodes"u8, request.Candidates, verdicts, resolvable: true);
        WriteFailures(writer, "FailedAndUnresolvableNodes"u8, request.Candidates, verdicts, resolvable: false);
        writer.WriteString("Error"u8, ""u8);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <c>[{"Host":"name","Score":n},...]</c> in one reserved span: each entry is the node's
    /// pre-encoded <see cref="KnownNode.HostEntryPrefix"/> and the score, as compact as the serializer's.
    /// </summary>
    public static void WritePrioritize(IBufferWriter<byte> output, ReadOnlySpan<KnownNode?> candidates, ReadOnlySpan<long> scores)
    {
        var length = 2;
        foreach (var node in candidates)
        {
            length += node is null ? 0 : node.HostEntryPrefix.Length + MaxScoreLength + 2;
        }

        var span = output.GetSpan(length);
        var written = 0;
        span[written++] = (byte)'[';
        for (var i = 0; i < candidates.Length; i++)
        {
            if (candidates[i] is not { } node)
            {
                continue;
            }

            if (written > 1)
            {
                span[written++] = (byte)',';
            }

            node.HostEntryPrefix.CopyTo(span[written..]);
            written += node.HostEntryPrefix.Length;
            scores[i].TryFormat(span[written..], out var digits, provider: CultureInfo.InvariantCulture);
            written += digits;
            span[written++] = (byte)'}';
        }

        span[written++] = (byte)']';
        output.Advance(written);
    }

    /// <summary>The node objects that were kept, echoed byte for byte from the request.</summary>
    private static void WriteNodeList(Utf8JsonWriter writer, ReadOnlySpan<byte> body, Range? metadata, CandidateList items, ReadOnlySpan<NodeVerdict> verdicts)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("metadata"u8);
        writer.WriteRawValue(metadata is { } range ? body[range] : s_emptyObject.EncodedUtf8Bytes, skipInputValidation: true);
        writer.WritePropertyName("items"u8);
        writer.WriteStartArray();
        var json = items.Json;
        for (var i = 0; i < json.Length; i++)
        {
            if (verdicts[i].Reason is null)
            {
                writer.WriteRawValue(body[json[i]], skipInputValidation: true);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteKeptNames(Utf8JsonWriter writer, ReadOnlySpan<KnownNode?> candidates, ReadOnlySpan<NodeVerdict> verdicts)
    {
        writer.WriteStartArray();
        for (var i = 0; i < candidates.Length; i++)
        {
            if (verdicts[i].Reason is not null)
            {
                continue;
            }

            if (candidates[i] is { } node)
            {
                writer.WriteStringValue(node.JsonName);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// One failure map, node name to reason, in request order. A name repeated in one request (the scheduler
    /// sends each node once) is written each time; Go's decoder keeps the last, as the dictionary did.
    /// </summary>
    private static void WriteFailures(Utf8JsonWriter writer, ReadOnlySpan<byte> key, ReadOnlySpan<KnownNode?> candidates, ReadOnlySpan<NodeVerdict> verdicts, bool resolvable)
    {
        writer.WritePropertyName(key);
        writer.WriteStartObject();
        string? lastReason = null;
        var encodedReason = default(JsonEncodedText);
        for (var i = 0; i < candidates.Length; i++)
        {
            var (reason, isResolvable) = verdicts[i];
            if (reason is null || isResolvable != resolvable || candidates[i] is not { } node)
            {
                continue;
            }

            if (!ReferenceEquals(reason, lastReason))
            {
                (lastReason, encodedReason) = (reason, JsonEncodedText.Encode(reason));
            }

            writer.WriteString(node.JsonName, encodedReason);
        }

        writer.WriteEndObject();
    }
}
