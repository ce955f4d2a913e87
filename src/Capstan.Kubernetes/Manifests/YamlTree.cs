using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Capstan.Kubernetes.Manifests;

/// <summary>A node of a parsed YAML document with where it starts (1-based line and column).</summary>
internal abstract class YamlNode(int line, int column)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}

/// <summary>A scalar; <see cref="Plain"/> when unquoted and untagged, so YAML's own rules give it a type (number, true, null).</summary>
internal sealed class YamlScalar(int line, int column, string value, bool plain) : YamlNode(line, column)
{
    public YamlScalar(Mark start, int lineOffset, string value, bool plain)
        : this((int)start.Line + lineOffset, (int)start.Column, value, plain)
    {
    }

    public string Value { get; } = value;

    public bool Plain { get; } = plain;

    /// <summary>YAML's null: an unquoted <c>null</c>, <c>~</c> or nothing at all.</summary>
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed class YamlMapping(int line, int column) : YamlNode(line, column)
{
    public YamlMapping(Mark start, int lineOffset)
        : this((int)start.Line + lineOffset, (int)start.Column)
    {
    }

    public List<KeyValuePair<YamlNode, YamlNode>> Entries { get; } = [];
}

internal sealed class YamlSequence(int line, int column) : YamlNode(line, column)
{
    public YamlSequence(Mark start, int lineOffset)
        : this((int)start.Line + lineOffset, (int)start.Column)
    {
    }

    public List<YamlNode> Items { get; } = [];
}

/// <summary>
/// One pass over a YAML stream into lightweight nodes, one root per document (the scanner splits the documents, so
/// <c>---</c> inside a block scalar is text). The fastest reader that takes the text builds them: straight from its
/// lines for the common shapes (<see cref="YamlLineTree"/>), from the scanner's tokens for the other plain shapes
/// (<see cref="YamlTokenTree"/>), otherwise YamlDotNet's parser. Anchors and aliases are resolved.
/// </summary>
internal static class YamlTree
{
    /// <summary>
    /// Calls <paramref name="document"/> with each document's 1-based index and root (null for an empty document).
    /// Throws <see cref="YamlException"/> where the text is not YAML; <paramref name="current"/> then holds the
    /// index of the document being read. <paramref name="lineOffset"/> is added to every line reported, nodes' and
    /// errors' alike, when <paramref name="text"/> is a part of a longer stream (see <see cref="Parts"/>).
    /// </summary>
    public static void Read(string text, Action<int, YamlNode?> document, out int current, int lineOffset = 0)
    {
        current = 0;
        if ((YamlLineTree.TryRead(text, lineOffset) ?? YamlTokenTree.TryRead(text, lineOffset)) is { } roots)
        {
            foreach (var root in roots)
            {
                current++;
                document(current, root);
            }

            return;
        }

        ReadParsed(text, document, out current, lineOffset);
    }

    /// <summary><see cref="Read"/> through YamlDotNet's parser, whatever the text's shape.</summary>
    internal static void ReadParsed(string text, Action<int, YamlNode?> document, out int current, int lineOffset = 0)
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
                var root = ReadNode(parser, anchors, lineOffset);
                parser.Consume<DocumentEnd>();
                document(current, root is YamlScalar { IsNull: true } ? null : root);
            }

            parser.Consume<StreamEnd>();
        }
        catch (InvalidOperationException e) when (e.Source == "YamlDotNet")
        {
            // The scanner gives up without a position on some unclosed flow collections: report where it stopped.
            var at = Shift(parser.Current?.End ?? Mark.Empty, lineOffset);
            throw new SyntaxErrorException(at, at, "a [list] or {mapping} written on one line is not closed");
        }
        catch (YamlException e) when (lineOffset != 0)
        {
            throw new SyntaxErrorException(Shift(e.Start, lineOffset), Shift(e.End, lineOffset), e.Message);
        }
    }

    private static Mark Shift(Mark mark, int lines) => lines == 0 ? mark : new Mark(mark.Index, mark.Line + lines, mark.Column);

    /// <summary>
    /// Where a stream can be cut into parts that parse on their own: before each line that is a document separator
    /// as kubectl splits documents (<c>---</c> at the start of a line, then nothing but blanks or a comment). YAML
    /// forbids such a line inside any value, so each part holds whole documents. A stream with directives
    /// (<c>%YAML</c>, <c>%TAG</c>, which belong to the document after them) is not cut. Each part is
    /// (offset in the text, lines before it); the first starts at 0.
    /// </summary>
    public static List<(int Start, int Line)> Parts(string text)
    {
        var parts = new List<(int Start, int Line)> { (0, 0) };
        var line = 0;
        for (var at = 0; at < text.Length;)
        {
            var end = text.IndexOf('\n', at);
            var next = end < 0 ? text.Length : end + 1;
            if (text[at] == '%')
            {
                return [(0, 0)];
            }

            if (at > 0 && IsSeparator(text.AsSpan(at, (end < 0 ? text.Length : end) - at)))
            {
                parts.Add((at, line));
            }

            line++;
            at = next;
        }

        return parts;
    }

    private static bool IsSeparator(ReadOnlySpan<char> line)
    {
        if (!line.StartsWith("---"))
        {
            return false;
        }

        var rest = line[3..].TrimStart(" \t\r");
        return rest.IsEmpty || (rest[0] == '#' && line.Length > 3 && line[3] is ' ' or '\t');
    }

    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors, int lineOffset)
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
            node = new YamlScalar(scalar.Start, lineOffset, scalar.Value, plain);
            anchor = scalar.Anchor;
        }
        else if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var mapping = new YamlMapping(mappingStart.Start, lineOffset);
            anchor = mappingStart.Anchor;
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = mapping;
            }

            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors, lineOffset);
                var value = ReadNode(parser, anchors, lineOffset);
                mapping.Entries.Add(new(key, value));
            }

            node = mapping;
        }
        else
        {
            var sequenceStart = parser.Consume<SequenceStart>();
            var sequence = new YamlSequence(sequenceStart.Start, lineOffset);
            anchor = sequenceStart.Anchor;
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = sequence;
            }

            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                sequence.Items.Add(ReadNode(parser, anchors, lineOffset));
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
