using System.Text.Json;
using System.Text.Json.Nodes;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Kubernetes.Tests.Manifests;

/// <summary>YAML to plain JSON objects as kubectl makes them: documents, List items, scalar typing, errors with positions.</summary>
public sealed class ManifestDocumentsTests
{
    [Fact]
    public void Read_SeparatorInsideBlockScalar_IsTextNotANewDocument()
    {
        var objects = ManifestDocuments.Read("cm.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: script }
            data:
              run.sh: |
                ---
                kind: Secret
            ---
            apiVersion: v1
            kind: Namespace
            metadata: { name: shop }
            """);

        Assert.Equal(2, objects.Count);
        Assert.Equal("---\nkind: Secret\n", objects[0]["data"]!["run.sh"]!.GetValue<string>());
        Assert.Equal("Namespace", objects[1]["kind"]!.GetValue<string>());
    }

    [Fact]
    public void Read_EmptyDocuments_AreSkipped()
    {
        var objects = ManifestDocuments.Read("a.yaml", "---\n---\n# only a comment\n---\napiVersion: v1\nkind: Pod\n---\n");

        var pod = Assert.Single(objects);
        Assert.Equal("Pod", pod["kind"]!.GetValue<string>());
    }

    [Fact]
    public void Read_KindList_GivesItsItemsWithoutParents()
    {
        var objects = ManifestDocuments.Read("list.yaml", """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Pod
                metadata: { name: a }
              - apiVersion: apps/v1
                kind: Deployment
                metadata: { name: b }
            """);

        Assert.Equal(["a", "b"], objects.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
        Assert.All(objects, o => Assert.Null(o.Parent));
        Assert.Single(new JsonArray(objects[0]));
    }

    [Fact]
    public void Read_EmptyList_GivesNothing()
    {
        Assert.Empty(ManifestDocuments.Read("list.yaml", "apiVersion: v1\nkind: List\nitems: []\n"));
        Assert.Empty(ManifestDocuments.Read("list.yaml", "apiVersion: v1\nkind: List\n"));
    }

    [Fact]
    public void Read_Scalars_TypedAsJsonWouldReadThem()
    {
        var o = Assert.Single(ManifestDocuments.Read("typing.yaml", """
            apiVersion: v1
            kind: ConfigMap
            quoted: "1"
            single: '2'
            whole: 1
            negative: -3
            fraction: 1.5
            exponent: 1e3
            quantity: 1.5Gi
            hex: 0x1F
            octal: 012
            plus: +1
            point: .5
            infinity: .inf
            yes11: yes
            on11: on
            yes: true
            no: False
            tagged: !!str 7
            nothing: null
            tilde: ~
            empty:
            quotedNull: "null"
            quotedTrue: "true"
            big: 123456789012345678901234567890
            list: [1, "1", a, true]
            """));

        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","quoted":"1","single":"2","whole":1,"negative":-3,"fraction":1.5,"exponent":1e3,"quantity":"1.5Gi","hex":"0x1F","octal":"012","plus":"\u002B1","point":".5","infinity":".inf","yes11":"yes","on11":"on","yes":true,"no":false,"tagged":"7","nothing":null,"tilde":null,"empty":null,"quotedNull":"null","quotedTrue":"true","big":123456789012345678901234567890,"list":[1,"1","a",true]}""",
            o.ToJsonString());
        Assert.Equal(1, o["whole"]!.GetValue<int>());
        Assert.Equal(1.5, o["fraction"]!.GetValue<double>());
        Assert.Equal(JsonValueKind.String, o["quoted"]!.GetValueKind());
    }

    [Fact]
    public void Read_NumericKeys_AreText()
    {
        var o = Assert.Single(ManifestDocuments.Read("keys.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  1: one\n  true: yes\n"));

        Assert.Equal("one", o["data"]!["1"]!.GetValue<string>());
        Assert.Equal("yes", o["data"]!["true"]!.GetValue<string>());
    }

    [Fact]
    public void Read_Anchors_AreExpandedAsCopies()
    {
        var o = Assert.Single(ManifestDocuments.Read("anchors.yaml", """
            apiVersion: v1
            kind: ConfigMap
            base: &base { a: 1 }
            copy: *base
            """));

        Assert.Equal(1, o["copy"]!["a"]!.GetValue<int>());
        Assert.NotSame(o["base"], o["copy"]);
    }

    [Fact]
    public void Read_DuplicateKey_NamesBothPlaces()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestDocuments.Read("dup.yaml", """
            apiVersion: v1
            kind: Pod
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: a
              labels: {}
              name: b
            """));

        var error = Assert.Single(e.Errors);
        Assert.Equal("dup.yaml: document 2, line 9, column 3: the key \"name\" appears twice in one mapping (first on line 7, column 3)", error);
    }

    [Fact]
    public void Read_EveryBadDocument_IsReported()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestDocuments.Read("bad.yaml", """
            - a
            - b
            ---
            metadata: { name: x }
            ---
            just text
            ---
            apiVersion: v1
            kind: List
            items:
              - 1
              - kind: Pod
            """));

        Assert.Equal(
        [
            "bad.yaml: document 1, line 1, column 1: a manifest must be a mapping with apiVersion and kind, not a list",
            "bad.yaml: document 2, line 4, column 1: the document has no apiVersion or kind",
            "bad.yaml: document 3, line 6, column 1: a manifest must be a mapping with apiVersion and kind, not the value \"just text\"",
            "bad.yaml: document 4, line 11, column 5: items[0]: an item must be a mapping with apiVersion and kind",
            "bad.yaml: document 4, line 12, column 5: items[1]: the item has no apiVersion or kind",
        ], e.Errors);
    }

    [Fact]
    public void Read_BrokenYaml_NamesDocumentLineAndColumn()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestDocuments.Read("broken.yaml", "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [a, b\n"));

        var error = Assert.Single(e.Errors);
        Assert.StartsWith("broken.yaml: document 2, line ", error, StringComparison.Ordinal);
        Assert.Contains("this is not valid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AliasInsideItsOwnAnchor_IsRefusedNotLooped()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestDocuments.Read("loop.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: &d\n  self: *d\n"));

        Assert.Equal("loop.yaml: document 1, line 3, column 7: an alias here refers to a mapping or list that contains it", Assert.Single(e.Errors));
    }

    [Fact]
    public void Read_NonTextApiVersion_IsMissing()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestDocuments.Read("x.yaml", "apiVersion: 1\nkind: Pod\n"));

        Assert.Equal("x.yaml: document 1, line 1, column 1: the document has no apiVersion or kind", Assert.Single(e.Errors));
    }
}
