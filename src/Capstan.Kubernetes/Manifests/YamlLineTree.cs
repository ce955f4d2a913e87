using System.Buffers;
using System.Text;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// The documents of a YAML text read straight from its characters, line by line, for the shapes manifests are
/// nearly always written in: block mappings and sequences (indentless ones too), plain and quoted scalars on one
/// line, flow collections closed on their line, comments, blank lines and <c>---</c> separators. It gives up (null)
/// on everything else (block scalars, scalars over several lines, anchors, tags, directives, <c>?</c> keys, tabs,
/// unusual characters or escapes) and on anything YAML would refuse, and <see cref="YamlTree"/> then reads the text
/// the slower ways. What it builds is what YamlDotNet's parser builds, node for node with positions: the tests hold
/// the two against each other over every shipped file and generated ones.
/// </summary>
internal static class YamlLineTree
{
    /// <summary>
    /// Characters this reader leaves to the parser wherever they are: tabs, YAML 1.1's other line breaks, the byte
    /// order mark, non-printable characters and a carriage return that is not part of CR LF (checked apart).
    /// </summary>
    private static readonly SearchValues<char> s_unusual = SearchValues.Create(
        "\t\u0085\u2028\u2029\uFEFF\uFFFE\uFFFF\u007F\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "\u0080\u0081\u0082\u0083\u0084\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F");

    /// <summary>Characters that cannot start a plain scalar here (YAML's indicators; <c>-</c> is judged apart).</summary>
    private static readonly SearchValues<char> s_indicators = SearchValues.Create("?:,[]{}#&*!|>'\"%@`");

    /// <summary>Where a plain scalar inside a flow collection ends, or gives up.</summary>
    private static readonly SearchValues<char> s_flowStops = SearchValues.Create(",[]{}:#");

    /// <summary>Scalars at most this long are shared between nodes with the same text (keys and most values repeat).</summary>
    private const int SharedLength = 48;

    /// <summary>How many shared scalars a thread keeps before it starts again.</summary>
    private const int SharedCount = 4096;

    [ThreadStatic]
    private static Dictionary<string, string>? t_shared;

    /// <summary>This thread's shared scalars (a thread reads many documents in turn, and their keys and values repeat).</summary>
    private static Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Shared =>
        (t_shared ??= new Dictionary<string, string>(StringComparer.Ordinal)).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>YAML's limit on an implicit key's length.</summary>
    private const int MaxKeyLength = 1024;

    /// <summary>The documents' roots (null for an empty document), or null when the slower readers must read the text.</summary>
    public static List<YamlNode?>? TryRead(string text, int lineOffset)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().ContainsAny(s_unusual) || HasLoneCarriageReturn(text))
        {
            return null;
        }

        try
        {
            return new Reader(text, lineOffset).Stream();
        }
        catch (GiveUp)
        {
            return null;
        }
    }

    private static bool HasLoneCarriageReturn(string text)
    {
        for (var at = text.IndexOf('\r'); at >= 0; at = text.IndexOf('\r', at + 1))
        {
            if (at + 1 == text.Length || text[at + 1] != '\n')
            {
                return true;
            }
        }

        return false;
    }

    private sealed class GiveUp : Exception;

    /// <summary>
    /// The reading position: the current line (<c>[_start, _end)</c> without its line break, <c>_line</c> counted from
    /// 0) and the character being looked at. Every Parse method leaves the reader at the first character of the next
    /// line with content, whose indentation is <c>_indent</c> (-1 at the end of the text or at a document marker).
    /// </summary>
    private sealed class Reader(string text, int lineOffset)
    {
        private readonly StringBuilder _quoted = new();
        private int _start;
        private int _end;
        private int _following;
        private int _line = -1;
        private int _at;
        private int _indent;

        private static GiveUp Fail() => new();

        private int Column => _at - _start + 1;

        private int LineNumber => _line + 1 + lineOffset;

        private bool AtLineEnd => _at >= _end;

        private char Current => _at < _end ? text[_at] : '\n';

        private char Peek(int ahead) => _at + ahead < _end ? text[_at + ahead] : '\n';

        public List<YamlNode?> Stream()
        {
            var documents = new List<YamlNode?>();
            var pending = false;
            Load(0);
            while (true)
            {
                SkipToContent();
                if (_start >= text.Length)
                {
                    break;
                }

                if (_indent >= 0)
                {
                    documents.Add(Root());
                    pending = false;
                    if (_indent >= 0)
                    {
                        throw Fail();
                    }

                    continue;
                }

                // A document marker: "---" starts a document; "..." (the end marker) is left to the parser.
                if (text[_start] != '-')
                {
                    throw Fail();
                }

                if (pending)
                {
                    documents.Add(null);
                }

                pending = true;
                _at = _start + 3;
                EndLine();
            }

            if (pending)
            {
                documents.Add(null);
            }

            return documents;
        }

        private void Load(int start)
        {
            _start = start;
            _line++;
            var newline = text.IndexOf('\n', start);
            _following = newline < 0 ? text.Length : newline + 1;
            _end = newline < 0 ? text.Length : newline > start && text[newline - 1] == '\r' ? newline - 1 : newline;
            _at = start;
        }

        /// <summary>
        /// From the start of a line, past blank and comment lines to the first line with content: <c>_at</c> on its
        /// first character and <c>_indent</c> its indentation, or -1 at a document marker or the end of the text.
        /// </summary>
        private void SkipToContent()
        {
            while (true)
            {
                if (_start >= text.Length)
                {
                    _indent = -1;
                    return;
                }

                var at = _start;
                while (at < _end && text[at] == ' ')
                {
                    at++;
                }

                if (at < _end && text[at] != '#')
                {
                    _at = at;
                    _indent = at - _start;
                    if (_indent == 0 && IsMarker())
                    {
                        _indent = -1;
                    }

                    return;
                }

                Load(_following);
            }
        }

        /// <summary>A line that starts with <c>---</c> or <c>...</c>; content after them (<c>--- {a: 1}</c>) is left to the parser.</summary>
        private bool IsMarker()
        {
            var line = text.AsSpan(_start, _end - _start);
            if (!line.StartsWith("---") && !line.StartsWith("..."))
            {
                return false;
            }

            return line.Length == 3 || line[3] == ' ' ? true : throw Fail();
        }

        /// <summary>Nothing but blanks or a comment to the end of the line; then on to the next line with content.</summary>
        private void EndLine()
        {
            var spaced = _at == _start || text[_at - 1] == ' ';
            while (_at < _end && text[_at] == ' ')
            {
                _at++;
                spaced = true;
            }

            if (_at < _end && (text[_at] != '#' || !spaced))
            {
                throw Fail();
            }

            Load(_following);
            SkipToContent();
        }

        private YamlNode Root()
        {
            // A document of one scalar has rules of its own in the parser: left to it.
            return Current is '[' or '{' || IsEntry() || KeyAhead() ? Node(-1) : throw Fail();
        }

        private bool IsEntry() => Current == '-' && Peek(1) is ' ' or '\n';

        /// <summary>
        /// A node that starts a line (its first character at <c>_at</c>, indented <c>_indent</c>); its parent block is
        /// indented <paramref name="parent"/>. "- - a" (a sequence in a sequence on one line) never gets here.
        /// </summary>
        private YamlNode Node(int parent) =>
            IsEntry() ? Sequence(_indent, indentless: false) : KeyAhead() ? Mapping(_indent) : Value(parent);

        /// <summary>A value after <c>key: </c> or <c>- </c> on the same line, then the end of that line.</summary>
        private YamlNode Value(int parent)
        {
            YamlNode node;
            if (Current is '[' or '{')
            {
                node = Flow();
            }
            else
            {
                node = Scalar(key: false);
            }

            EndLine();

            // A more indented line next would continue the scalar (or be an error): left to the parser.
            return _indent > parent ? throw Fail() : node;
        }

        /// <summary>Whether the line from <c>_at</c> holds a key: a scalar and then <c>:</c> before a blank or the line's end.</summary>
        private bool KeyAhead()
        {
            if (Current is '[' or '{')
            {
                return false;
            }

            var at = _at;
            Scalar(key: true);
            var isKey = Current == ':' && Peek(1) is ' ' or '\n';
            _at = at;
            return isKey;
        }

        private YamlMapping Mapping(int indent)
        {
            var mapping = new YamlMapping(LineNumber, Column);
            while (true)
            {
                var key = Scalar(key: true);
                if (Current != ':' || Peek(1) is not (' ' or '\n'))
                {
                    throw Fail();
                }

                var colonLine = LineNumber;
                _at++;
                var afterColon = Column;
                SkipBlanks();
                YamlNode value;
                if (AtLineEnd || Current == '#')
                {
                    EndLine();
                    value = _indent > indent ? Node(indent)
                        : _indent == indent && IsEntry() ? Sequence(indent, indentless: true)
                        : new YamlScalar(colonLine, afterColon, "", plain: true);
                }
                else
                {
                    value = IsEntry() ? throw Fail() : Value(indent);
                }

                mapping.Entries.Add(new(key, value));
                if (_indent < indent)
                {
                    return mapping;
                }

                if (_indent > indent || IsEntry())
                {
                    throw Fail();
                }
            }
        }

        private YamlSequence Sequence(int indent, bool indentless)
        {
            var sequence = new YamlSequence(LineNumber, Column);
            while (true)
            {
                var entryLine = LineNumber;
                _at++;
                var afterDash = Column;
                SkipBlanks();
                YamlNode item;
                if (AtLineEnd || Current == '#')
                {
                    EndLine();
                    item = _indent > indent ? Node(indent) : new YamlScalar(entryLine, afterDash, "", plain: true);
                }
                else
                {
                    item = IsEntry() ? throw Fail() : KeyAhead() ? Mapping(_at - _start) : Value(indent);
                }

                sequence.Items.Add(item);
                if (_indent == indent && IsEntry())
                {
                    continue;
                }

                if (_indent < indent || (indentless && _indent == indent))
                {
                    return sequence;
                }

                throw Fail();
            }
        }

        private void SkipBlanks()
        {
            while (_at < _end && text[_at] == ' ')
            {
                _at++;
            }
        }

        /// <summary>A plain or quoted scalar in block context; for a key, one that may be followed by <c>:</c>.</summary>
        private YamlScalar Scalar(bool key)
        {
            var (line, column) = (LineNumber, Column);
            var c = Current;
            if (c is '\'' or '"')
            {
                var quoted = Quoted();
                SkipBlanks();
                return new YamlScalar(line, column, quoted, plain: false);
            }

            if (c == '\n' || c == ' ' || (c == '-' ? Peek(1) is ' ' or '\n' : s_indicators.Contains(c)))
            {
                throw Fail();
            }

            var start = _at;
            var stop = start;
            while (_at < _end)
            {
                var ch = text[_at];
                if (ch == ':' && Peek(1) is ' ' or '\n')
                {
                    break;
                }

                if (ch == ' ')
                {
                    if (Peek(1) == '#')
                    {
                        break;
                    }

                    // A word that starts with "*" reads like an alias to YamlDotNet, which then takes ": " as text.
                    if (Peek(1) == '*')
                    {
                        throw Fail();
                    }
                }
                else
                {
                    stop = _at + 1;
                }

                _at++;
            }

            if (key && stop - start > MaxKeyLength)
            {
                throw Fail();
            }

            _at = stop;
            SkipBlanks();
            return new YamlScalar(line, column, Text(start, stop), plain: true);
        }

        private string Text(int start, int stop)
        {
            var span = text.AsSpan(start, stop - start);
            if (span.Length > SharedLength)
            {
                return span.ToString();
            }

            var shared = Shared;
            if (shared.TryGetValue(span, out var known))
            {
                return known;
            }

            var value = span.ToString();
            if (shared.Dictionary.Count >= SharedCount)
            {
                shared.Dictionary.Clear();
            }

            shared[value] = value;
            return value;
        }

        /// <summary>A quoted scalar closed on its line, with the escapes manifests use; <c>_at</c> after the closing quote.</summary>
        private string Quoted()
        {
            var quote = Current;
            var start = ++_at;
            _quoted.Clear();
            while (true)
            {
                if (_at >= _end)
                {
                    throw Fail();
                }

                var ch = text[_at];
                if (ch == quote)
                {
                    if (quote == '\'' && Peek(1) == '\'')
                    {
                        _quoted.Append(text, start, _at + 1 - start);
                        _at += 2;
                        start = _at;
                        continue;
                    }

                    break;
                }

                if (ch == '\\' && quote == '"')
                {
                    _quoted.Append(text, start, _at - start);
                    _quoted.Append(Peek(1) switch
                    {
                        '\\' => '\\',
                        '"' => '"',
                        '/' => '/',
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        _ => throw Fail(),
                    });
                    _at += 2;
                    start = _at;
                    continue;
                }

                _at++;
            }

            var value = _quoted.Length == 0 ? Text(start, _at) : _quoted.Append(text, start, _at - start).ToString();
            _at++;
            return value;
        }

        /// <summary>A flow sequence or mapping that closes on its line, of scalars and flow collections.</summary>
        private YamlNode Flow()
        {
            var (line, column) = (LineNumber, Column);
            var isSequence = Current == '[';
            var close = isSequence ? ']' : '}';
            _at++;
            SkipBlanks();
            YamlNode node = isSequence ? new YamlSequence(line, column) : new YamlMapping(line, column);
            var first = true;
            while (true)
            {
                if (Current == close)
                {
                    _at++;
                    return node;
                }

                if (!first)
                {
                    if (Current != ',')
                    {
                        throw Fail();
                    }

                    _at++;
                    SkipBlanks();
                    if (Current == close)
                    {
                        _at++;
                        return node;
                    }
                }

                first = false;
                var item = FlowNode();
                if (node is YamlSequence sequence)
                {
                    // "[a: b]" (a pair in a sequence) is left to the parser.
                    sequence.Items.Add(Current == ':' ? throw Fail() : item);
                    continue;
                }

                if (item is not YamlScalar || Current != ':' || Peek(1) != ' ')
                {
                    throw Fail();
                }

                _at++;
                SkipBlanks();
                var value = Current is ',' or '}' ? new YamlScalar(LineNumber, Column, "", plain: true) : FlowNode();
                ((YamlMapping)node).Entries.Add(new(item, value));
            }
        }

        private YamlNode FlowNode()
        {
            var (line, column) = (LineNumber, Column);
            var c = Current;
            YamlNode node;
            if (c is '[' or '{')
            {
                node = Flow();
            }
            else if (c is '\'' or '"')
            {
                node = new YamlScalar(line, column, Quoted(), plain: false);
            }
            else if (c is '-' or '\n' or ' ' || s_indicators.Contains(c))
            {
                throw Fail();
            }
            else
            {
                var start = _at;
                var stop = _at;
                while (_at < _end)
                {
                    var ch = text[_at];
                    if (s_flowStops.Contains(ch))
                    {
                        // A colon or a hash inside a flow scalar has rules of its own: only ": " and " #" are read here.
                        if ((ch == ':' && Peek(1) != ' ') || (ch == '#' && _at > start && text[_at - 1] == ' '))
                        {
                            throw Fail();
                        }

                        if (ch != '#')
                        {
                            break;
                        }
                    }

                    if (ch != ' ')
                    {
                        stop = _at + 1;
                    }

                    _at++;
                }

                if (_at >= _end)
                {
                    throw Fail();
                }

                node = new YamlScalar(line, column, Text(start, stop), plain: true);
            }

            SkipBlanks();
            return node;
        }
    }
}
