using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace Capstan.Extender.Wire;

/// <summary>
/// Writes the filter and prioritize answers straight from the verdicts and scores, byte for byte what
/// <see cref="ExtenderJsonContext"/> writes for <see cref="ExtenderFilterResult"/> and
/// <see cref="HostPriorityList"/> (same keys, order, nulls, escaping and compact form), without building
/// them: every name is copied from its <see cref="KnownNode.QuotedJsonName"/>, every node object from the
/// request body, every reason from a cache of encoded reasons.
/// </summary>
internal static class ExtenderResponseWriter
{
    private const int MaxCachedReasons = 512;

    private static readonly ConcurrentDictionary<string, byte[]> s_quotedReasons = new(StringComparer.Ordinal);

    public static void WriteFilter(IBufferWriter<byte> output, ReadOnlySpan<byte> body, ExtenderRequest request, ReadOnlySpan<NodeVerdict> verdicts)
    {
        var json = new RawJsonOutput(output);
        json.Write("{\"Nodes\":"u8);
        if (request.NodeNames is null && request.Items is { } items)
        {
            WriteNodeList(ref json, body, request.NodesMetadata, items, verdicts);
        }
        else
        {
            json.Write("null"u8);
        }

        json.Write(",\"NodeNames\":"u8);
        if (request.NodeNames is { } names)
        {
            WriteKeptNames(ref json, names.Nodes, verdicts);
        }
        else
        {
            json.Write("null"u8);
        }

        json.Write(",\"FailedNodes\":"u8);
        WriteFailures(ref json, request.Candidates, verdicts, resolvable: true);
        json.Write(",\"FailedAndUnresolvableNodes\":"u8);
        WriteFailures(ref json, request.Candidates, verdicts, resolvable: false);
        json.Write(",\"Error\":\"\"}"u8);
        json.Flush();
    }

    /// <summary>Writes <c>[{"Host":"name","Score":n},...]</c>, skipping candidates without a name.</summary>
    public static void WritePrioritize(IBufferWriter<byte> output, ReadOnlySpan<KnownNode?> candidates, ReadOnlySpan<long> scores)
    {
        var json = new RawJsonOutput(output);
        json.Write((byte)'[');
        var first = true;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (candidates[i] is not { } node)
            {
                continue;
            }

            json.Write(first ? "{\"Host\":"u8 : ",{\"Host\":"u8);
            json.Write(node.QuotedJsonName);
            json.Write(",\"Score\":"u8);
            json.Write(scores[i]);
            json.Write((byte)'}');
            first = false;
        }

        json.Write((byte)']');
        json.Flush();
    }

    /// <summary>The node objects that were kept, echoed byte for byte from the request.</summary>
    private static void WriteNodeList(ref RawJsonOutput json, ReadOnlySpan<byte> body, Range? metadata, CandidateList items, ReadOnlySpan<NodeVerdict> verdicts)
    {
        json.Write("{\"metadata\":"u8);
        json.Write(metadata is { } range ? body[range] : "{}"u8);
        json.Write(",\"items\":["u8);
        var objects = items.Json;
        var first = true;
        for (var i = 0; i < objects.Length; i++)
        {
            if (verdicts[i].Reason is null)
            {
                if (!first)
                {
                    json.Write((byte)',');
                }

                json.Write(body[objects[i]]);
                first = false;
            }
        }

        json.Write("]}"u8);
    }

    private static void WriteKeptNames(ref RawJsonOutput json, ReadOnlySpan<KnownNode?> candidates, ReadOnlySpan<NodeVerdict> verdicts)
    {
        json.Write((byte)'[');
        var first = true;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (verdicts[i].Reason is not null)
            {
                continue;
            }

            if (!first)
            {
                json.Write((byte)',');
            }

            json.Write(candidates[i] is { } node ? node.QuotedJsonName : "null"u8);
            first = false;
        }

        json.Write((byte)']');
    }

    /// <summary>
    /// One failure map, node name to reason, in request order. A name repeated in one request (the scheduler
    /// sends each node once) is written each time; Go's decoder keeps the last, as the dictionary did.
    /// </summary>
    private static void WriteFailures(ref RawJsonOutput json, ReadOnlySpan<KnownNode?> candidates, ReadOnlySpan<NodeVerdict> verdicts, bool resolvable)
    {
        json.Write((byte)'{');
        string? lastReason = null;
        byte[] quotedReason = [];
        var first = true;
        for (var i = 0; i < candidates.Length; i++)
        {
            var (reason, isResolvable) = verdicts[i];
            if (reason is null || isResolvable != resolvable || candidates[i] is not { } node)
            {
                continue;
            }

            if (!ReferenceEquals(reason, lastReason))
            {
                (lastReason, quotedReason) = (reason, QuotedReason(reason));
            }

            if (!first)
            {
                json.Write((byte)',');
            }

            json.Write(node.QuotedJsonName);
            json.Write((byte)':');
            json.Write(quotedReason);
            first = false;
        }

        json.Write((byte)'}');
    }

    /// <summary><c>"reason"</c>, escaped as the writer escapes it; cached, as filter gives a handful of reasons thousands of times.</summary>
    private static byte[] QuotedReason(string reason)
    {
        if (s_quotedReasons.TryGetValue(reason, out var quoted))
        {
            return quoted;
        }

        quoted = [(byte)'"', .. JsonEncodedText.Encode(reason).EncodedUtf8Bytes, (byte)'"'];
        if (s_quotedReasons.Count < MaxCachedReasons)
        {
            s_quotedReasons.TryAdd(reason, quoted);
        }

        return quoted;
    }
}
