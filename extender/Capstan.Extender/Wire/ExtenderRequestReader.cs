using System.Text.Json;
using k8s.Models;

namespace Capstan.Extender.Wire;

/// <summary>
/// Reads an <c>ExtenderArgs</c> body in one pass with <see cref="Utf8JsonReader"/>, with the rules of the
/// <see cref="ExtenderJsonContext"/> it replaces on the hot path: envelope keys match case-insensitively,
/// unknown keys are skipped, a repeated key wins over the earlier one, and malformed JSON throws
/// <see cref="JsonException"/>. Node names become <see cref="KnownNode"/>s without a string each; the Pod is
/// taken from <see cref="PodCache"/> by its bytes, or read with KubernetesClient's serializer.
/// </summary>
internal static class ExtenderRequestReader
{
    /// <summary>The request, or null when the body is the JSON literal <c>null</c>.</summary>
    public static ExtenderRequest? Read(ReadOnlySpan<byte> body, KnownNodes nodes, PodCache pods)
    {
        var reader = new Utf8JsonReader(body);
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            End(ref reader);
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        var request = new ExtenderRequest();
        try
        {
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var key = EnvelopeKeyOf(ref reader);
                Next(ref reader);
                switch (key)
                {
                    case EnvelopeKey.Pod:
                        ReadPod(ref reader, body, request, pods);
                        break;
                    case EnvelopeKey.NodeNames:
                        ReadNodeNames(ref reader, request, nodes);
                        break;
                    case EnvelopeKey.Nodes:
                        ReadNodeList(ref reader, body, request, nodes);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            End(ref reader);
            return request;
        }
        catch (InvalidOperationException invalid)
        {
            // Utf8JsonReader reports invalid UTF-8 in a string this way; the serializer wrapped it in a JsonException.
            request.Dispose();
            throw new JsonException(invalid.Message, invalid);
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static void ReadPod(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ExtenderRequest request, PodCache pods)
    {
        request.PodJson = null;
        request.CachedPod = null;
        request.ParsedPod = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        var range = Capture(ref reader);
        var json = body[range];
        request.PodJson = range;
        request.CachedPod = pods.Find(json);
        if (request.CachedPod is null)
        {
            request.ParsedPod = JsonSerializer.Deserialize<V1Pod>(json, KubernetesJsonOptions.Instance);
            request.PodJson = request.ParsedPod is null ? null : range;
        }
    }

    private static void ReadNodeNames(ref Utf8JsonReader reader, ExtenderRequest request, KnownNodes nodes)
    {
        request.NodeNames?.Dispose();
        request.NodeNames = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        var names = request.NodeNames = new CandidateList();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            names.Add(reader.TokenType switch
            {
                // A name seen before is found by its bytes; a new or escaped one is decoded (and checked) once.
                JsonTokenType.String => (reader.ValueIsEscaped ? null : nodes.Find(reader.ValueSpan)) ?? nodes.Get(reader.GetString()!),
                JsonTokenType.Null => null,
                _ => throw new JsonException($"NodeNames: expected a string, found {reader.TokenType}"),
            });
        }
    }

    private static void ReadNodeList(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ExtenderRequest request, KnownNodes nodes)
    {
        request.Items?.Dispose();
        request.Items = null;
        request.NodesMetadata = null;
        request.HasNodes = reader.TokenType != JsonTokenType.Null;
        if (!request.HasNodes)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var key = NodeListKeyOf(ref reader);
            Next(ref reader);
            switch (key)
            {
                case NodeListKey.Metadata:
                    request.NodesMetadata = Capture(ref reader);
                    break;
                case NodeListKey.Items:
                    request.Items?.Dispose();
                    request.Items = ReadItems(ref reader, body, nodes);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static CandidateList? ReadItems(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, KnownNodes nodes)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        var items = new CandidateList();
        try
        {
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                var item = Capture(ref reader);
                var name = NodeObjectReader.Read(body[item], out var state);
                items.Add(name is null ? null : nodes.Get(name), item, state);
            }

            return items;
        }
        catch
        {
            items.Dispose();
            throw;
        }
    }

    /// <summary>The bytes of the current value (skipping over it), as a range of the body.</summary>
    private static Range Capture(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }

    /// <summary>The exact spelling first (what the scheduler sends), then case-insensitively, as the serializer matched.</summary>
    private static EnvelopeKey EnvelopeKeyOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("NodeNames"u8) ? EnvelopeKey.NodeNames
        : reader.ValueTextEquals("Pod"u8) ? EnvelopeKey.Pod
        : reader.ValueTextEquals("Nodes"u8) ? EnvelopeKey.Nodes
        : reader.GetString()! switch
        {
            var key when key.Equals("NodeNames", StringComparison.OrdinalIgnoreCase) => EnvelopeKey.NodeNames,
            var key when key.Equals("Pod", StringComparison.OrdinalIgnoreCase) => EnvelopeKey.Pod,
            var key when key.Equals("Nodes", StringComparison.OrdinalIgnoreCase) => EnvelopeKey.Nodes,
            _ => EnvelopeKey.Other,
        };

    private static NodeListKey NodeListKeyOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("items"u8) ? NodeListKey.Items
        : reader.ValueTextEquals("metadata"u8) ? NodeListKey.Metadata
        : reader.GetString()! switch
        {
            var key when key.Equals("items", StringComparison.OrdinalIgnoreCase) => NodeListKey.Items,
            var key when key.Equals("metadata", StringComparison.OrdinalIgnoreCase) => NodeListKey.Metadata,
            _ => NodeListKey.Other,
        };

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the JSON body ends too early");

    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("the JSON body has data after its first value");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"expected {expected}, found {reader.TokenType}");
        }
    }

    private enum NodeListKey
    {
        Other,
        Metadata,
        Items,
    }

    private enum EnvelopeKey
    {
        Other,
        Pod,
        NodeNames,
        Nodes,
    }
}
