using Capstan.Kubernetes.Manifests;

namespace Capstan.Kubernetes.Tests.Manifests;

/// <summary>The manifest reader on YAML as users write it: documents, kinds, unknown fields, duplicates, errors.</summary>
public sealed class ManifestReaderTests
{
    private const string Pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          annotations:
            kind: Secret
            apiVersion: v1
        spec:
          containers:
            - name: main
              image: app
              args:
                - |
                  ---
                  apiVersion: v1
                  kind: Secret
              ports:
                - containerPort: 8080
                  name: http
              readinessProbe:
                httpGet: { path: /healthz, port: http }
              resources:
                requests: { cpu: 500m, memory: 1Gi }
                limits: { cpu: 1, memory: 2Gi }
        """;

    [Fact]
    public void Read_SeparatorInBlockScalarAndKindInAnnotation_ReadsOnePod()
    {
        var set = Read(("pod.yaml", Pod));

        var pod = Assert.Single(set.Pods);
        Assert.Equal("web", pod.Name);
        Assert.Empty(set.Notes);
        Assert.Empty(set.Warnings);
    }

    [Fact]
    public void Read_KindList_ExpandsItsItems()
    {
        var set = Read(("list.yaml", """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: { name: api, namespace: shop }
                spec:
                  replicas: 3
                  selector: { matchLabels: { app: api } }
                  template:
                    metadata: { labels: { app: api } }
                    spec:
                      containers: [ { name: main, image: app, resources: { requests: { cpu: "1" } } } ]
              - apiVersion: v1
                kind: Service
                metadata: { name: api }
            """));

        Assert.Equal(["api-0", "api-1", "api-2"], set.Pods.Select(p => p.Name));
        Assert.All(set.Pods, p => Assert.Equal("shop", p.Namespace));
        Assert.Equal(["list.yaml: document 1, items[1] (v1/Service) is not a kind capstan plan uses; skipped"], set.Notes);
    }

    [Fact]
    public void Read_UnknownFields_WarnWithFullPathAndSuggestion()
    {
        var set = Read(("p.yaml", """
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: default
              labels: { anything: goes }
            spec:
              limit:
                resources: { cpu: 100 }
              requirements:
                - key: karpenter.sh/capacity-type
                  operator: In
                  values: [spot]
                  valuess: [on-demand]
              providerRef: { name: default }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: p }
            spec:
              containers:
                - name: main
                  image: app
                  resources: { requests: { cpu: 1 }, limit: { cpu: 2 } }
                  zzzzzzzz: 1
            """));

        Assert.Equal(
            [
                "p.yaml: document 1, line 7, column 3: unknown field \"spec.limit\" (did you mean \"limits\"?)",
                "p.yaml: document 1, line 13, column 7: unknown field \"spec.requirements[0].valuess\" (did you mean \"values\"?)",
                "p.yaml: document 2, line 23, column 42: unknown field \"spec.containers[0].resources.limit\" (did you mean \"limits\"?)",
                "p.yaml: document 2, line 24, column 7: unknown field \"spec.containers[0].zzzzzzzz\"",
            ],
            set.Warnings);
    }

    [Fact]
    public void Read_BadQuantity_NamesFileDocumentLineColumnAndPath()
    {
        var errors = Errors(("bad.yaml", "---\n" + Pod.Replace("cpu: 500m", "cpu: banana", StringComparison.Ordinal)));

        Assert.Equal(["bad.yaml: document 1, line 24, column 26: spec.containers[0].resources.requests.cpu: \"banana\" is not a quantity"], errors);
    }

    [Fact]
    public void Read_DuplicateKey_IsAnErrorWithLineAndColumn()
    {
        var errors = Errors(("dup.yaml", """
            apiVersion: v1
            kind: Node
            metadata:
              name: n1
              labels:
                zone: a
                zone: b
            """));

        Assert.Equal(["dup.yaml: document 1, line 7, column 5: metadata.labels.zone: the key \"zone\" appears twice in one mapping (first on line 6, column 5)"], errors);
    }

    [Fact]
    public void Read_WrongValueKinds_AreErrorsEachWithItsPlace()
    {
        var errors = Errors(("d.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: d }
            spec:
              replicas: lots
              template:
                spec:
                  containers: { name: main }
            """));

        Assert.Equal(
            [
                "d.yaml: document 1, line 5, column 13: spec.replicas: \"lots\" is not a whole number",
                "d.yaml: document 1, line 8, column 19: spec.template.spec.containers: expected a list here, found a mapping",
            ],
            errors);
    }

    [Fact]
    public void Read_BrokenYaml_GivesTheParsersLineAndColumnInWords()
    {
        var errors = Errors(("ok.yaml", Pod), ("bad.yaml", "apiVersion: v1\nkind: Pod\n---\nmetadata: [unclosed\nspec: {}\n"));

        var error = Assert.Single(errors);
        Assert.StartsWith("bad.yaml: document 2, line ", error, StringComparison.Ordinal);
        Assert.Contains(", column ", error, StringComparison.Ordinal);
        Assert.Contains("this is not valid YAML", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SameObjectTwice_LastWinsWithAWarningNamingBoth()
    {
        var set = Read(("a.yaml", Node("n1", "4")), ("b.yaml", "# again\n---\n" + Node("n1", "8")));

        var node = Assert.Single(set.Nodes);
        Assert.Equal(8000, node.Capacity["cpu"].MilliValue);
        Assert.Equal(["b.yaml: document 1: Node \"n1\" is also given in a.yaml: document 1; this later one is used, as kubectl apply would"], set.Warnings);
    }

    [Fact]
    public void Read_NoApiVersion_IsAnError()
    {
        var errors = Errors(("x.yaml", "metadata:\n  name: x\n"));

        Assert.Equal(["x.yaml: document 1, line 1, column 1: the document has no apiVersion or kind"], errors);
    }

    [Fact]
    public void Read_ManyDocuments_AreReadInOrderThroughTheParsingPipeline()
    {
        var yaml = string.Join("---\n", Enumerable.Range(0, 2000).Select(i => Pod.Replace("name: web", $"name: web-{i}", StringComparison.Ordinal) + "\n"));
        var broken = yaml + "---\nmetadata: [unclosed\n";

        var set = Read(("many.yaml", yaml));
        var errors = Errors(("broken.yaml", broken));

        Assert.True(yaml.Length > 256 * 1024);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"web-{i}"), set.Pods.Select(p => p.Name));
        Assert.StartsWith("broken.yaml: document 2001, line ", Assert.Single(errors), StringComparison.Ordinal);
    }

    private static string Node(string name, string cpu) => $"""
        apiVersion: v1
        kind: Node
        metadata: {"{"} name: {name} {"}"}
        status:
          capacity: {"{"} cpu: "{cpu}", memory: 16Gi, pods: "58" {"}"}
        """;

    [Fact]
    public void Read_AClusterDump_PutsBoundPodsOnTheirNodes_AndLeavesOutFinishedPodsAndPodsOfNodesNotGiven()
    {
        // As `kubectl get pods,nodes -A -o yaml` writes it: pods before the nodes they run on.
        var set = Read(("dump.yaml", """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Pod
                metadata: { name: web-1, namespace: shop }
                spec:
                  nodeName: ip-10-0-0-1
                  containers: [{ name: c, image: x, resources: { requests: { cpu: "1", memory: 1Gi } } }]
                status: { phase: Running }
              - apiVersion: v1
                kind: Pod
                metadata: { name: starting, namespace: shop }
                spec:
                  nodeName: ip-10-0-0-1
                  containers: [{ name: c, image: x, resources: { requests: { cpu: 500m } } }]
                status: { phase: Pending }
              - apiVersion: v1
                kind: Pod
                metadata: { name: elsewhere, namespace: shop }
                spec:
                  nodeName: ip-10-0-0-9
                  containers: [{ name: c, image: x, resources: { requests: { cpu: "1" } } }]
                status: { phase: Running }
              - apiVersion: v1
                kind: Pod
                metadata: { name: done, namespace: shop }
                spec:
                  nodeName: ip-10-0-0-1
                  containers: [{ name: c, image: x, resources: { requests: { cpu: "4" } } }]
                status: { phase: Succeeded }
              - apiVersion: v1
                kind: Pod
                metadata: { name: waiting, namespace: shop }
                spec:
                  containers: [{ name: c, image: x, resources: { requests: { cpu: "2" } } }]
                status:
                  phase: Pending
                  conditions: [{ type: PodScheduled, status: "False", reason: Unschedulable }]
              - apiVersion: v1
                kind: Node
                metadata: { name: ip-10-0-0-1 }
                status: { allocatable: { cpu: "2", memory: 8Gi, pods: "29" } }
            """));

        Assert.Equal(["shop/waiting"], set.Pods.Select(p => p.Key));
        var node = Assert.Single(set.Nodes);
        Assert.Equal(["shop/web-1", "shop/starting"], node.Pods.Select(p => p.Key));
        Assert.Equal("1500m", node.Requested()["cpu"].ToString());
        Assert.Equal(
            [
                "1 finished pod(s) (Succeeded or Failed) take no capacity and are left out (shop/done)",
                "1 pod(s) are bound to nodes the input does not give and are left out (shop/elsewhere on ip-10-0-0-9); add the Node objects to count them",
            ],
            set.Notes);
    }

    private static ManifestSet Read(params (string Name, string Yaml)[] sources) => ManifestReader.Read(sources);

    private static IReadOnlyList<string> Errors(params (string Name, string Yaml)[] sources)
    {
        var e = Assert.Throws<ManifestException>(() => ManifestReader.Read(sources));
        return e.Errors;
    }
}
