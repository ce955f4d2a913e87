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
        Assert.Equal(Parsed(yaml, 0), tokens.Select(YamlTreeText.Describe));
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
        var files = YamlTreeText.RepositoryYaml();
        Assert.True(files.Count >= 20, $"{files.Count} files");
        var fast = 0;
        foreach (var file in files)
        {
            var yaml = File.ReadAllText(file);
            if (YamlTokenTree.TryRead(yaml, 7) is { } tokens)
            {
                fast++;
                Assert.True(Parsed(yaml, 7).SequenceEqual(tokens.Select(YamlTreeText.Describe)), file);
            }
        }

        // The plain shapes are what manifests are written in: nearly every file takes the fast way.
        Assert.True(fast >= files.Count * 9 / 10, $"{fast} of {files.Count} files built from tokens");
    }

    private static List<string> Parsed(string yaml, int lineOffset)
    {
        var roots = new List<string>();
        YamlTree.ReadParsed(yaml, (_, root) => roots.Add(YamlTreeText.Describe(root)), out _, lineOffset);
        return roots;
    }
}
