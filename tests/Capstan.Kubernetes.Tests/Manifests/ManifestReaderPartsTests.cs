using System.Globalization;
using System.Text;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Kubernetes.Tests.Manifests;

/// <summary>
/// Large inputs are cut at their document separators and read on every core: what comes out must be what one pass
/// over the same text gives, messages and their order included.
/// </summary>
public sealed class ManifestReaderPartsTests
{
    [Theory]
    [InlineData("a: 1\n---\nb: 2\n", new[] { 0, 5 })]
    [InlineData("---\na: 1\n--- # next\nb: 2\n---\t\r\nc: 3", new[] { 0, 9, 25 })]
    [InlineData("a: |\n  ---\n  text\n", new[] { 0 })]
    [InlineData("a: 1\n---x\n--- |\n  text\n", new[] { 0 })]
    [InlineData("a: 1\n---#x\n", new[] { 0 })]
    [InlineData("%YAML 1.2\n---\na: 1\n---\nb: 2\n", new[] { 0 })]
    public void Parts_CutBeforeSeparatorLinesOnly(string text, int[] starts)
    {
        Assert.Equal(starts, YamlTree.Parts(text).Select(p => p.Start));
    }

    [Fact]
    public void Parts_CountTheLinesBeforeEachPart()
    {
        Assert.Equal([0, 2, 5], YamlTree.Parts("a: 1\nb: 2\n---\nc: |\n  x\n---\nd: 4\n").Select(p => p.Line));
    }

    [Fact]
    public void ReadInParts_GivesWhatOnePassGives_ObjectsWarningsNotesAndDuplicates()
    {
        var yaml = Mixed(600);

        var parallel = ManifestReader.Read([("big.yaml", yaml)], null, null, parallelThreshold: 0);
        var onePass = ManifestReader.Read([("big.yaml", yaml)], null, null, parallelThreshold: int.MaxValue);

        Assert.Equal(onePass.Pods.Count, parallel.Pods.Count);
        Assert.True(parallel.Pods.Count > 1000, $"{parallel.Pods.Count} pods");
        Assert.Equal(onePass.Pods.Select(Describe), parallel.Pods.Select(Describe));
        Assert.Equal(onePass.Provisioners.Select(p => p.Name), parallel.Provisioners.Select(p => p.Name));
        Assert.NotEmpty(parallel.Warnings);
        Assert.Equal(onePass.Warnings, parallel.Warnings);
        Assert.NotEmpty(parallel.Notes);
        Assert.Equal(onePass.Notes, parallel.Notes);
        Assert.Contains(parallel.Warnings, w => w.Contains("this later one is used", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadInParts_BrokenYaml_IsReportedAtItsDocumentAndLine_AsOnePassReportsIt()
    {
        var yaml = new StringBuilder(Mixed(300));
        var brokenLine = yaml.ToString().Count(c => c == '\n') + 2;
        yaml.Append("---\napiVersion: v1\nkind: Pod\nmetadata: { name: broken\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: after }\n");
        yaml.Append(Mixed(50));

        var parallel = Assert.Throws<ManifestException>(() => ManifestReader.Read([("big.yaml", yaml.ToString())], null, null, parallelThreshold: 0));
        var onePass = Assert.Throws<ManifestException>(() => ManifestReader.Read([("big.yaml", yaml.ToString())], null, null, parallelThreshold: int.MaxValue));

        Assert.Equal(onePass.Errors, parallel.Errors);
        var error = Assert.Single(parallel.Errors, e => e.Contains("not valid YAML", StringComparison.Ordinal));
        // The parser notices the unclosed mapping at the separator after it: three lines down, in the whole file's numbering.
        Assert.StartsWith($"big.yaml: document {Documents(300) + 1}, line {(brokenLine + 3).ToString(CultureInfo.InvariantCulture)}, ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(parallel.Errors, e => e.Contains("document " + (Documents(300) + 2).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public void ReadInParts_ErrorsInDocuments_CarryTheirOwnDocumentNumberAndLine()
    {
        var yaml = Mixed(200) + "---\napiVersion: v1\nkind: Pod\nmetadata: { name: bad }\nspec:\n  containers:\n    - name: c\n      resources: { requests: { cpu: banana } }\n" + Mixed(200);

        var parallel = Assert.Throws<ManifestException>(() => ManifestReader.Read([("big.yaml", yaml)], null, null, parallelThreshold: 0));
        var onePass = Assert.Throws<ManifestException>(() => ManifestReader.Read([("big.yaml", yaml)], null, null, parallelThreshold: int.MaxValue));

        Assert.Equal(onePass.Errors, parallel.Errors);
        Assert.Contains(parallel.Errors, e => e.StartsWith($"big.yaml: document {Documents(200) + 1}, line", StringComparison.Ordinal) && e.Contains("banana", StringComparison.Ordinal));
    }

    private static string Describe(Core.Pods.PodRequest pod) =>
        $"{pod.Namespace}/{pod.Name} {pod.Requests} {pod.NodeSelector} {pod.CreationOrder}";

    /// <summary>Documents per block of <see cref="Mixed"/>.</summary>
    private static int Documents(int blocks) => 1 + (blocks * 5);

    /// <summary>
    /// A Provisioner, then blocks of: a Pod (with a separator inside a block scalar), a Deployment with an unknown
    /// field, a Service (not used: a note), a List of two Pods, and every tenth block a Pod given again.
    /// </summary>
    private static string Mixed(int blocks)
    {
        var text = new StringBuilder("""
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata: { name: default }
            spec:
              labels: { intent: apps }

            """);
        for (var i = 0; i < blocks; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var again = i % 10 == 9 ? (i - 5).ToString(CultureInfo.InvariantCulture) : n;
            text.Append($$"""
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: pod-{{again}}
                  annotations:
                    note: |
                      ---
                      kind: Secret
                spec:
                  nodeSelector: { intent: apps }
                  containers:
                    - name: main
                      image: app
                      resources: { requests: { cpu: {{100 + i}}m, memory: 64Mi } }
                --- # a Deployment
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: web-{{n}} }
                spec:
                  replicas: 2
                  selector: { matchLabels: { app: web } }
                  template:
                    metadata: { labels: { app: web } }
                    spec:
                      containers:
                        - name: main
                          image: app
                          resourcez: { requests: { cpu: "1" } }
                ---
                apiVersion: v1
                kind: Service
                metadata: { name: svc-{{n}} }
                ---
                apiVersion: v1
                kind: List
                items:
                  - { apiVersion: v1, kind: Pod, metadata: { name: l-{{n}}-a }, spec: { containers: [ { name: c, image: x } ] } }
                  - { apiVersion: v1, kind: Pod, metadata: { name: l-{{n}}-b }, spec: { containers: [ { name: c, image: x } ] } }
                ---
                apiVersion: v1
                kind: Namespace
                metadata: { name: ns-{{n}} }

                """);
        }

        return text.ToString();
    }
}
