using System.Text;
using Capstan.Kubernetes.Manifests;
using YamlDotNet.Core;

namespace Capstan.Kubernetes.Tests.Manifests;

/// <summary>
/// The trees read line by line must be the parser's trees, node for node with their positions; wherever the text
/// leaves the common shapes, or is not YAML at all, the line reader must give up so that the slower readers judge it.
/// Besides hand-picked cases, generated documents and random damage to them hold the two readers against each other.
/// </summary>
public sealed class YamlLineTreeTests
{
    public static TheoryData<string> Common => new()
    {
        "a: 1\nb: two\n",
        "a: 1\r\nb:   two  \r\n",
        "---\na: 1\n---\n---\nb: [1, 2, ]\n---\nc: {x: 1, y: , z: \"q\"}\n",
        "key:\nother: 'single'\nlist:\n- a\n-\n- c\nnested:\n  - name: x\n    args: [\"-c\", 'y']\n  -\n",
        "# only a comment\n---\n# and another\n",
        "m:\n  n:\n    o:\n      - p: 1\n        q:\n          - r\n",
        "a: 1 # comment\nb: \"two # not a comment\"\nc: x#y\n",
        "spec:\n  containers:\n    - name: main\n      resources: { requests: { cpu: 250m, memory: 256Mi }, limits: {} }\n",
        "seq:\n  - [a, [b, c], {d: e}]\n  - {f: [g]}\n",
        "  indented: root\n  second: 2\n",
        "- a\n- b: 1\n  c: 2\n-   d\n- [e]\n",
        "url: http://example.com:8080/x\nimage: public.ecr.aws/eks-distro/kubernetes/pause:3.2\nneg: -1\ndash: --x\n",
        "'quoted key': 1\n\"dq\" : 2\nit's: 'it''s'\nesc: \"a\\\"b\\\\c\\n\\t\\/\"\nspace key: v\n",
        "a:\n  # a comment more indented\n  b: 1\n\n\n# at the end\n",
        "a: ~\nb: null\nc:\nd: ''\n",
        "k:\n  v\nother: 1\n",
        "- \n  x: 1\n-\n  - y\n",
        "--- # a comment on the marker\na: 1\n",
    };

    public static TheoryData<string> LeftToTheOthers => new()
    {
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "? explicit\n: key\n",
        "just a scalar\n",
        "--- |\n  block document\n",
        "text: |\n  line one\n",
        "folded: >-\n  a\n  b\n",
        "a: multi\n  line\n",
        "a: 'multi\n  line'\n",
        "a:\tb\n",
        "{a}\n",
        "[a: b]\n",
        "a: [1, 2\n",
        "a: 1\n b: 2\n",
        "a: {b: 1 c: 2}\n",
        "- a\nb: 1\n",
        "a: - b\n",
        "a: b: c\n",
        "- - a\n",
        "a: \"\\u0041\"\n",
        "a: 1\n...\n",
        "a: [http://x]\n",
        "a: \"x\" y\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: b\r c\n",
    };

    [Theory]
    [MemberData(nameof(Common))]
    public void CommonShapes_GiveTheParsersTrees(string yaml)
    {
        var lines = YamlLineTree.TryRead(yaml, 0);

        Assert.NotNull(lines);
        Assert.Equal(Parsed(yaml, 0), lines.Select(YamlTreeText.Describe));
    }

    [Theory]
    [MemberData(nameof(LeftToTheOthers))]
    public void OtherShapes_AreLeftToTheSlowerReaders(string yaml)
    {
        Assert.Null(YamlLineTree.TryRead(yaml, 0));
    }

    [Fact]
    public void EveryShippedManifestAndScenario_GivesTheParsersTrees_WithTheLineOffset()
    {
        var files = YamlTreeText.RepositoryYaml();
        var read = 0;
        foreach (var file in files)
        {
            var yaml = File.ReadAllText(file);
            if (YamlLineTree.TryRead(yaml, 7) is { } lines)
            {
                read++;
                Assert.True(Parsed(yaml, 7).SequenceEqual(lines.Select(YamlTreeText.Describe)), file);
            }
        }

        // Most shipped files keep to the common shapes (the others have block scalars: user data, policies).
        Assert.True(read >= files.Count * 2 / 3, $"{read} of {files.Count} files read line by line");
    }

    [Fact]
    public void GeneratedDocuments_GiveTheParsersTrees()
    {
        var random = new Random(20261203);
        var read = 0;
        string? left = null;
        const int Documents = 3000;
        for (var i = 0; i < Documents; i++)
        {
            var yaml = new Generator(random).Stream();
            if (YamlLineTree.TryRead(yaml, 0) is { } lines)
            {
                read++;
                Assert.True(Parsed(yaml, 0).SequenceEqual(lines.Select(YamlTreeText.Describe)), yaml);
            }
            else
            {
                left ??= yaml;
            }
        }

        // Only the generator's few deliberate oddities send a text elsewhere.
        Assert.True(read >= Documents * 8 / 10, $"{read} of {Documents} generated texts read line by line; the first left to the others:\n{left}");
    }

    [Fact]
    public void DamagedDocuments_AreReadAsTheParserReadsThem_OrLeftToIt()
    {
        var random = new Random(3122026);
        var (read, broken) = (0, 0);
        const int Documents = 6000;
        for (var i = 0; i < Documents; i++)
        {
            var yaml = Damage(new Generator(random).Stream(), random);
            List<string>? parsed;
            try
            {
                parsed = Parsed(yaml, 0);
            }
            catch (YamlException)
            {
                parsed = null;
                broken++;
            }

            if (YamlLineTree.TryRead(yaml, 0) is { } lines)
            {
                read++;
                Assert.True(parsed is not null, $"the parser refuses this, the line reader took it:\n{yaml}");
                Assert.True(parsed.SequenceEqual(lines.Select(YamlTreeText.Describe)), yaml);
            }
        }

        // The damage must reach both sides: some texts still read line by line, some no longer YAML.
        Assert.True(read > Documents / 10 && broken > Documents / 10, $"{read} read, {broken} refused by the parser");
    }

    private static List<string> Parsed(string yaml, int lineOffset)
    {
        var roots = new List<string>();
        YamlTree.ReadParsed(yaml, (_, root) => roots.Add(YamlTreeText.Describe(root)), out _, lineOffset);
        return roots;
    }

    /// <summary>One or two small edits of the kind a hand makes: a character lost or added, a line moved sideways or doubled.</summary>
    private static string Damage(string yaml, Random random)
    {
        const string Inserted = " :-#'\"[]{},\n|>&*!?%\tab1";
        var text = new StringBuilder(yaml);
        for (var edits = 1 + random.Next(2); edits > 0 && text.Length > 0; edits--)
        {
            var at = random.Next(text.Length);
            switch (random.Next(4))
            {
                case 0:
                    text.Remove(at, 1);
                    break;
                case 1:
                    text.Insert(at, Inserted[random.Next(Inserted.Length)]);
                    break;
                case 2:
                    var lineStart = at == 0 ? 0 : text.ToString().LastIndexOf('\n', at - 1) + 1;
                    if (random.Next(2) == 0)
                    {
                        text.Insert(lineStart, new string(' ', 1 + random.Next(2)));
                    }
                    else if (lineStart < text.Length && text[lineStart] == ' ')
                    {
                        text.Remove(lineStart, 1);
                    }

                    break;
                default:
                    var all = text.ToString();
                    var start = at == 0 ? 0 : all.LastIndexOf('\n', at - 1) + 1;
                    var end = all.IndexOf('\n', at);
                    text.Insert(start, all[start..(end < 0 ? all.Length : end + 1)] + (end < 0 ? "\n" : ""));
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>Random YAML in the shapes manifests are written in, with the spacing, comments and quoting people use.</summary>
    private sealed class Generator(Random random)
    {
        private static readonly string[] s_keys =
        [
            "a", "name", "app.kubernetes.io/name", "karpenter.sh/capacity-type", "key with space", "\"quoted\"", "'single'",
            "x-1", "-k", "1", "true", "a#b", "url:x", "'it''s'", "\"esc\\\"aped\"",
        ];

        private static readonly string[] s_scalars =
        [
            "v", "250m", "512Mi", "public.ecr.aws/x:3.2", "http://x.y/z?a=1&b=2", "a#b", "-1", "~", "null", "a b  c", "0.5",
            "'single'", "'it''s'", "\"double\"", "\"a\\\"b\\\\c\"", "\"tab\\tnew\\nline\"", "''", "\"\"",
            "yes", "-x", "spot", "日本",
        ];

        /// <summary>Values the line reader leaves to the others (an alias, a key-like end, an escape it does not read).</summary>
        private static readonly string[] s_odd = ["*x", "x:", "\"\\x41\"", "|", ">-"];

        private string _newline = "\n";

        public string Stream()
        {
            _newline = random.Next(8) == 0 ? "\r\n" : "\n";
            var text = new StringBuilder();
            var documents = 1 + random.Next(3);
            for (var d = 0; d < documents; d++)
            {
                if (d > 0 || random.Next(3) == 0)
                {
                    text.Append(random.Next(4) == 0 ? "--- # next" : "---").Append(_newline);
                }

                if (random.Next(6) == 0)
                {
                    text.Append(new string(' ', random.Next(3))).Append("# comment").Append(_newline);
                }

                if (random.Next(10) > 0)
                {
                    if (random.Next(4) == 0)
                    {
                        Sequence(text, 0, 0);
                    }
                    else
                    {
                        Mapping(text, 0, 0, inline: false);
                    }
                }
            }

            return text.ToString();
        }

        private string Pick(string[] values) => values[random.Next(values.Length)];

        private string Spaces(int most) => new(' ', random.Next(most + 1));

        private void Mapping(StringBuilder text, int indent, int depth, bool inline)
        {
            var entries = 1 + random.Next(4);
            for (var e = 0; e < entries; e++)
            {
                if (e > 0 || !inline)
                {
                    text.Append(' ', indent);
                }

                text.Append(Pick(s_keys)).Append(random.Next(8) == 0 ? " :" : ":");
                Value(text, indent, depth, allowIndentless: true);
            }
        }

        private void Sequence(StringBuilder text, int indent, int depth)
        {
            var items = 1 + random.Next(3);
            for (var i = 0; i < items; i++)
            {
                text.Append(' ', indent).Append('-');
                var gap = 1 + random.Next(3);
                if (depth < 4 && random.Next(3) == 0)
                {
                    // A compact mapping: its first key on the entry's line, the others under it.
                    text.Append(' ', gap);
                    Mapping(text, indent + 1 + gap, depth + 1, inline: true);
                }
                else
                {
                    Value(text, indent, depth, allowIndentless: false);
                }
            }
        }

        /// <summary>What follows <c>key:</c> or <c>-</c>: a value on the line, nothing, or a block on the next lines.</summary>
        private void Value(StringBuilder text, int indent, int depth, bool allowIndentless)
        {
            var choice = depth >= 4 ? random.Next(3) : random.Next(7);
            switch (choice)
            {
                case 0 or 1:
                    text.Append(' ', 1 + random.Next(2)).Append(Pick(random.Next(200) == 0 ? s_odd : s_scalars)).Append(Spaces(1));
                    break;
                case 2:
                    text.Append(' ').Append(Flow(depth));
                    break;
                case 3:
                    break;
                case 4 or 5:
                    EndLine(text);
                    Mapping(text, indent + 1 + random.Next(4), depth + 1, inline: false);
                    return;
                default:
                    EndLine(text);
                    Sequence(text, allowIndentless && random.Next(2) == 0 ? indent : indent + 1 + random.Next(3), depth + 1);
                    return;
            }

            EndLine(text);
        }

        private void EndLine(StringBuilder text)
        {
            if (random.Next(6) == 0)
            {
                text.Append(" # note");
            }

            text.Append(_newline);
            if (random.Next(8) == 0)
            {
                text.Append(Spaces(6)).Append(random.Next(2) == 0 ? "# between" : "").Append(_newline);
            }
        }

        private string Flow(int depth)
        {
            var sequence = random.Next(2) == 0;
            var items = random.Next(4);
            var parts = new List<string>();
            for (var i = 0; i < items; i++)
            {
                var value = depth < 3 && random.Next(4) == 0 ? Flow(depth + 1) : Pick(random.Next(200) == 0 ? ["-1", "[a: b]"] : ["x", "1", "'q'", "\"d\"", "a b", "250m"]);
                parts.Add(sequence ? value : $"{Pick(["k", "'k2'", "\"k3\"", "k4"])}:{Spaces(1)} {(random.Next(6) == 0 ? "" : value)}");
            }

            var inside = string.Join("," + Spaces(1), parts) + (items > 0 && random.Next(5) == 0 ? "," : "");
            return sequence ? $"[{Spaces(1)}{inside}{Spaces(1)}]" : $"{{{Spaces(1)}{inside}{Spaces(1)}}}";
        }
    }
}
