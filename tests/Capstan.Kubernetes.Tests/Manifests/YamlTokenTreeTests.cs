using System.Text;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Kubernetes.Tests.Manifests;

/// <summary>
/// The trees built from the scanner's tokens must be the parser's trees, node for node with their positions; where
/// the text leaves the plain shapes, the token builder must give up so that the parser reads it.
/// </summary>
public sealed class YamlTokenTreeTests
{
    public static TheoryData<string> Plain => new()
    {
        "a: 1\nb: two\n",
        "---\na: 1\n---\n---\nb: [1, 2, ]\n...\n---\nc: {x: 1, y: , z: \"q\"}\n",
        "key:\nother: 'single'\nlist:\n- a\n-\n- c\nnested:\n  - name: x\n    args: [\"-c\", 'y']\n  -\n",
        "# only a comment\n---\n# and another\n",
        "text: |\n  line one\n  ---\n  line three\nfolded: >-\n  a\n  b\nempty: {}\nnone: []\n",
        "m:\n  n:\n    o:\n      - p: 1\n        q:\n          - r\n",
        "a: 1 # comment\nb: \"two # not a comment\"\n",
        "spec:\n  containers:\n    - name: main\n      resources: { requests: { cpu: 250m, memory: 256Mi }, limits: {} }\n",
        "seq:\n  - [a, [b, c], {d: e}]\n  - {f: [g]}\n",
        "? explicit\n: key\n",
    };

    public static TheoryData<string> Unusual => new()
    {
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "? [complex]\n: key\n",
        "just a scalar\n",
        "--- |\n  block document\n",
        "{a}\n",
        "[a: b]\n",
        "a: [1, 2\n",
        "a: 1\n b: 2\n",
        "a: 'unclosed\n",
        "a: {b: 1 c: 2}\n",
        "- a\nb: 1\n",
    };

    [Theory]
    [MemberData(nameof(Plain))]
    public void PlainShapes_GiveTheParsersTrees(string yaml)
    {
        var tokens = YamlTokenTree.TryRead(yaml, 0);

        Assert.NotNull(tokens);
        Assert.Equal(Parsed(yaml, 0), tokens.Select(Describe));
    }

    [Theory]
    [MemberData(nameof(Unusual))]
    public void OtherShapes_AreLeftToTheParser(string yaml)
    {
        Assert.Null(YamlTokenTree.TryRead(yaml, 0));
    }

    [Fact]
    public void EveryShippedManifestAndScenario_GivesTheParsersTrees_WithTheLineOffset()
    {
        var files = RepositoryYaml();
        Assert.True(files.Count >= 20, $"{files.Count} files");
        var fast = 0;
        foreach (var file in files)
        {
            var yaml = File.ReadAllText(file);
            if (YamlTokenTree.TryRead(yaml, 7) is { } tokens)
            {
                fast++;
                Assert.True(Parsed(yaml, 7).SequenceEqual(tokens.Select(Describe)), file);
            }
        }

        // The plain shapes are what manifests are written in: nearly every file takes the fast way.
        Assert.True(fast >= files.Count * 9 / 10, $"{fast} of {files.Count} files built from tokens");
    }

    private static List<string> RepositoryYaml()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Extender.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return [.. new[] { "src", "manifests", "scenarios" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root.FullName, d), "*.yaml", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    private static List<string> Parsed(string yaml, int lineOffset)
    {
        var roots = new List<string>();
        YamlTree.ReadParsed(yaml, (_, root) => roots.Add(Describe(root)), out _, lineOffset);
        return roots;
    }

    /// <summary>A node and everything under it, with kinds, values, plainness and positions.</summary>
    private static string Describe(YamlNode? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    private static void Write(YamlNode? node, StringBuilder text)
    {
        switch (node)
        {
            case null:
                text.Append("(empty document)");
                break;
            case YamlScalar scalar:
                text.Append($"{scalar.Line}:{scalar.Column} {(scalar.Plain ? "plain" : "quoted")} \"{scalar.Value}\"");
                break;
            case YamlMapping mapping:
                text.Append($"{mapping.Line}:{mapping.Column} {{");
                foreach (var (key, value) in mapping.Entries)
                {
                    Write(key, text);
                    text.Append(" => ");
                    Write(value, text);
                    text.Append("; ");
                }

                text.Append('}');
                break;
            case YamlSequence sequence:
                text.Append($"{sequence.Line}:{sequence.Column} [");
                foreach (var item in sequence.Items)
                {
                    Write(item, text);
                    text.Append(", ");
                }

                text.Append(']');
                break;
        }
    }
}
