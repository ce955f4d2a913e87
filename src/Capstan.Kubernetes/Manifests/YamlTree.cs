using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Capstan.Kubernetes.Manifests;

/// <summary>A node of a parsed YAML document with where it starts (1-based line and column).</summary>
internal abstract class YamlNode(Mark start)
{
    public int Line { get; } = (int)start.Line;

    public int Column { get; } = (int)start.Column;
}

/// <summary>A scalar; <see cref="Plain"/> when unquoted and untagged, so YAML's own rules give it a type (number, true, null).</summary>
internal sealed class YamlScalar(Mark start, string value, bool plain) : YamlNode(start)
{
    public string Value { get; } = value;

    public bool Plain { get; } = plain;

    /// <summary>YAML's null: an unquoted <c>null</c>, <c>~</c> or nothing at all.</summary>
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed class YamlMapping(Mark start) : YamlNode(start)
{
    public List<KeyValuePair<YamlNode, YamlNode>> Entries { get; } = [];
}

internal sealed class YamlSequence(Mark start) : YamlNode(start)
{
    public List<YamlNode> Items { get; } = [];
}

/// <summary>
/// One pass of YamlDotNet's parser over a YAML stream into lightweight nodes, one root per document (the parser
/// splits the documents, so <c>---</c> inside a block scalar is text). Anchors and aliases are resolved.
/// </summary>
internal static class YamlTree
{
    /// <summary>
    /// Calls <paramref name="document"/> with each document's 1-based index and root (null for an empty document).
    /// Throws <see cref="YamlException"/> where the text is not YAML; <paramref name="current"/> then holds the
    /// index of the document being read.
    /// </summary>
    public static void Read(string text, Action<int, YamlNode?> document, out int current)
    {
        current = 0;
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                current++;
                var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
                var root = ReadNode(parser, anchors);
                parser.Consume<DocumentEnd>();
                document(current, root is YamlScalar { IsNull: true } ? null : root);
            }

            parser.Consume<StreamEnd>();
        }
        catch (InvalidOperationException e) when (e.Source == "YamlDotNet")
        {
            // The scanner gives up without a position on some unclosed flow collections: report where it stopped.
            var at = parser.Current?.End ?? Mark.Empty;
            throw new SyntaxErrorException(at, at, "a [list] or {mapping} written on one line is not closed");
        }
    }

    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new SemanticErrorException(alias.Start, alias.End, $"the alias *{alias.Value.Value} names no anchor before it");
        }

        YamlNode node;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var plain = scalar.Style == ScalarStyle.Plain && (scalar.Tag.IsEmpty || scalar.Tag.IsNonSpecific);
            node = new YamlScalar(scalar.Start, scalar.Value, plain);
            anchor = scalar.Anchor;
        }
        else if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var mapping = new YamlMapping(mappingStart.Start);
            anchor = mappingStart.Anchor;
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = mapping;
            }

            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors);
                var value = ReadNode(parser, anchors);
                mapping.Entries.Add(new(key, value));
            }

            node = mapping;
        }
        else
        {
            var sequenceStart = parser.Consume<SequenceStart>();
            var sequence = new YamlSequence(sequenceStart.Start);
            anchor = sequenceStart.Anchor;
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = sequence;
            }

            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                sequence.Items.Add(ReadNode(parser, anchors));
            }

            node = sequence;
        }

        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }

        return node;
    }
}
