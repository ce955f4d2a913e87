using System.Text.Json;
using Capstan.Testing;
using static Capstan.Host.Tests.Planning.PlanCli;

namespace Capstan.Host.Tests.Planning;

/// <summary>`capstan plan` through its command line, on the tutorial manifests.</summary>
public sealed class PlanCommandTests
{
    [Fact]
    public async Task Plan_InflateTenOnOnDemandProvisioner_MatchesGolden()
    {
        var (code, stdout, stderr) = await RunAsync("plan", "--format", "json", "--scale", "inflate=10",
            Example("provisioner-on-demand-apps.yaml"), Example("inflate.yaml"));

        Assert.Equal(0, code);
        Assert.Contains("Found 10 provisionable pod(s)", stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(stdout);
        var claims = doc.RootElement.GetProperty("nodeClaims").EnumerateArray().ToList();
        Assert.Equal(2, claims.Count);
        Assert.Equal(["c6a.2xlarge", "c6a.xlarge"], claims.Select(c => c.GetProperty("instanceType").GetString()));
        Assert.Equal([7, 3], claims.Select(c => c.GetProperty("pods").GetArrayLength()));
        Assert.All(claims, c =>
        {
            Assert.Equal("on-demand", c.GetProperty("capacityType").GetString());
            Assert.Equal("apps", c.GetProperty("labels").GetProperty("intent").GetString());
            Assert.Equal("default", c.GetProperty("provisioner").GetString());
            var options = c.GetProperty("instanceTypeOptions").EnumerateArray().Select(o => o.GetString()!).ToList();
            Assert.InRange(options.Count, 1, 60);
            Assert.DoesNotContain(options, o => o.EndsWith(".large", StringComparison.Ordinal) && !o.EndsWith("xlarge", StringComparison.Ordinal));
            Assert.All(options, o => Assert.Contains(o[0], "cmr"));
        });
        Assert.Equal(0.459, doc.RootElement.GetProperty("totalPricePerHour").GetDouble(), 6);
        var bound = doc.RootElement.GetProperty("lowerBoundPricePerHour").GetDouble();
        Assert.InRange(bound, 0.3, 0.459);
        Assert.Equal("7", claims[0].GetProperty("requests").GetProperty("pods").GetString());
        Assert.Equal("10752Mi", claims[0].GetProperty("requests").GetProperty("memory").GetString());
        Assert.Equal("default/inflate-0", claims[0].GetProperty("pods")[0].GetString());
    }

    [Fact]
    public async Task Plan_JsonShape_HasExactlyTheDocumentedKeys()
    {
        var (code, stdout, _) = await RunAsync("plan", "--format", "json", "--scale", "inflate=3",
            Example("provisioner-on-demand-apps.yaml"), Example("inflate.yaml"));

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(["nodeClaims", "existingNodes", "unschedulable", "totalPricePerHour", "lowerBoundPricePerHour"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        var claim = doc.RootElement.GetProperty("nodeClaims")[0];
        Assert.Equal(["name", "provisioner", "instanceType", "zone", "capacityType", "pricePerHour", "instanceTypeOptions", "labels", "taints", "pods", "requests"],
            claim.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, claim.GetProperty("pricePerHour").ValueKind);
        Assert.Equal("3", claim.GetProperty("requests").GetProperty("cpu").GetString());
        Assert.Equal("4608Mi", claim.GetProperty("requests").GetProperty("memory").GetString());
    }

    [Fact]
    public async Task Plan_ClusterAutoscalerGroup_FivePodsOnC5XlargeMakeTwoNodes()
    {
        using var dir = new TempDirectory();
        var provisioner = dir.Write("group2.yaml", """
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: group2
            spec:
              labels:
                role: group2
              taints:
                - key: dedicated
                  value: group2
                  effect: NoSchedule
              requirements:
                - key: node.kubernetes.io/instance-type
                  operator: In
                  values: ["c5.xlarge"]
                - key: karpenter.sh/capacity-type
                  operator: In
                  values: ["spot"]
              providerRef:
                name: default
            """);
        var workload = dir.Write("inflate.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: inflate
            spec:
              replicas: 5
              selector:
                matchLabels:
                  app: inflate
              template:
                metadata:
                  labels:
                    app: inflate
                spec:
                  terminationGracePeriodSeconds: 0
                  containers:
                    - name: inflate
                      image: public.ecr.aws/eks-distro/kubernetes/pause:3.2
                      resources:
                        requests:
                          cpu: 1
                  nodeSelector:
                    role: "group2"
                  tolerations:
                    - key: "dedicated"
                      operator: "Equal"
                      value: "group2"
                      effect: "NoSchedule"
            """);

        var (code, stdout, _) = await RunAsync("plan", "--format", "json", provisioner, workload);

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var claims = doc.RootElement.GetProperty("nodeClaims").EnumerateArray().ToList();
        Assert.Equal(2, claims.Count);
        Assert.All(claims, c => Assert.Equal("c5.xlarge", c.GetProperty("instanceType").GetString()));
        Assert.All(claims, c => Assert.Equal("spot", c.GetProperty("capacityType").GetString()));
        Assert.Equal([3, 2], claims.Select(c => c.GetProperty("pods").GetArrayLength()).OrderDescending());
        Assert.Equal("dedicated", claims[0].GetProperty("taints")[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task Plan_SpotProvisioner_UsesSpotAndSaysPricesAreEstimates()
    {
        var (code, stdout, _) = await RunAsync("plan", "--scale", "inflate=5", Example("provisioner-spot-apps.yaml"), Example("inflate.yaml"));

        Assert.Equal(0, code);
        Assert.Contains("spot", stdout, StringComparison.Ordinal);
        Assert.Contains("spot price is an estimate", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_InlineProviderExample_RespectsItsTypeAndZoneLists()
    {
        using var dir = new TempDirectory();
        var pods = dir.Write("pods.yaml", Deployment("web", 4, "1", "2Gi", nodeSelector: null));

        var (code, stdout, _) = await RunAsync("plan", "--format", "json", Example("provisioner-inline-provider.yaml"), pods);

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        foreach (var claim in doc.RootElement.GetProperty("nodeClaims").EnumerateArray())
        {
            Assert.Contains(claim.GetProperty("instanceType").GetString(), new[] { "m5.large", "m5.2xlarge" });
            Assert.Contains(claim.GetProperty("zone").GetString(), new[] { "us-east-1a", "us-east-1b" });
        }
    }

    [Fact]
    public async Task Plan_PodsWithoutMatchingProvisioner_AreReportedWithReason()
    {
        using var dir = new TempDirectory();
        var pods = dir.Write("pods.yaml", Deployment("batch", 2, "1", "1Gi", nodeSelector: "team: data"));

        var (code, stdout, _) = await RunAsync("plan", "--format", "json", Example("provisioner-on-demand-apps.yaml"), pods);

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var unschedulable = doc.RootElement.GetProperty("unschedulable").EnumerateArray().ToList();
        Assert.Equal(2, unschedulable.Count);
        Assert.Equal("default/batch-0", unschedulable[0].GetProperty("pod").GetString());
        Assert.Contains("team", unschedulable[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_ExistingNodeAndDaemonSet_AreTakenIntoAccount()
    {
        using var dir = new TempDirectory();
        var cluster = dir.Write("cluster.yaml", """
            apiVersion: v1
            kind: Node
            metadata:
              name: ip-10-0-0-1
              labels:
                intent: apps
                topology.kubernetes.io/zone: us-east-1a
            status:
              allocatable:
                cpu: "4"
                memory: 16Gi
                pods: "58"
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: agent
              namespace: kube-system
            spec:
              selector:
                matchLabels:
                  app: agent
              template:
                metadata:
                  labels:
                    app: agent
                spec:
                  containers:
                    - name: agent
                      image: agent
                      resources:
                        requests:
                          cpu: 250m
                          memory: 256Mi
            """);

        var (code, stdout, _) = await RunAsync("plan", "--format", "json", "--scale", "inflate=6",
            Example("provisioner-on-demand-apps.yaml"), Example("inflate.yaml"), cluster);

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var existing = Assert.Single(doc.RootElement.GetProperty("existingNodes").EnumerateArray());
        Assert.Equal("ip-10-0-0-1", existing.GetProperty("name").GetString());
        Assert.Equal(4, existing.GetProperty("pods").GetArrayLength());
        var claim = Assert.Single(doc.RootElement.GetProperty("nodeClaims").EnumerateArray());
        Assert.Equal("2250m", claim.GetProperty("requests").GetProperty("cpu").GetString());
    }

    [Theory]
    [InlineData("missing.yaml", "missing.yaml")]
    public async Task Plan_UnreadableFile_ExitsTwoNamingIt(string file, string named)
    {
        var (code, _, stderr) = await RunAsync("plan", Path.Combine(Path.GetTempPath(), "capstan-none", file));

        Assert.Equal(2, code);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_InvalidYaml_ExitsTwoNamingFileAndProblem()
    {
        using var dir = new TempDirectory();
        var bad = dir.Write("bad.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: [unclosed\n");

        var (code, _, stderr) = await RunAsync("plan", bad);

        Assert.Equal(2, code);
        Assert.Contains("bad.yaml", stderr, StringComparison.Ordinal);
        Assert.Contains("document 1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_BadQuantity_ExitsTwo()
    {
        using var dir = new TempDirectory();
        var bad = dir.Write("bad.yaml", Deployment("web", 1, "lots", "1Gi", nodeSelector: null));

        var (code, _, stderr) = await RunAsync("plan", bad);

        Assert.Equal(2, code);
        Assert.Contains("bad.yaml", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_NoManifest_OrBadFormat_ExitsTwo()
    {
        Assert.Equal(2, (await RunAsync("plan")).Code);
        Assert.Equal(2, (await RunAsync("plan", "--format", "xml", Example("inflate.yaml"))).Code);
    }

    [Fact]
    public async Task Plan_CustomCatalog_IsUsed()
    {
        using var dir = new TempDirectory();
        var catalog = dir.Write("catalog.json", """
            [{"name": "m5.xlarge", "family": "m5", "category": "m", "generation": 5, "size": "xlarge", "architecture": "amd64",
              "vcpu": 4, "memoryMiB": 16384, "maxEnis": 4, "ipv4PerEni": 15, "spotSupported": true,
              "onDemandPriceUsdPerHour": 0.192, "zones": ["us-east-1a"], "currentlyOffered": true}]
            """);

        var (code, stdout, _) = await RunAsync("plan", "--format", "json", "--catalog", catalog, "--scale", "inflate=2",
            Example("provisioner-on-demand-apps.yaml"), Example("inflate.yaml"));

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("m5.xlarge", doc.RootElement.GetProperty("nodeClaims")[0].GetProperty("instanceType").GetString());
    }

    [Fact]
    public async Task Plan_UnreadableCatalog_IsTheOnlyThingReported_EvenWithBrokenManifests()
    {
        using var dir = new TempDirectory();
        var broken = dir.Write("broken.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - resources: {requests: {cpu: banana}}\n");
        var catalog = Path.Combine(dir.Path, "missing-catalog.json");

        var (code, stdout, stderr) = await RunAsync("plan", "--catalog", catalog, broken);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("capstan plan: ", line, StringComparison.Ordinal);
        Assert.Contains("missing-catalog.json", line, StringComparison.Ordinal);
        Assert.DoesNotContain("banana", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_AntiAffinityNamespaceSelector_IsEvaluatedAgainstTheNamespacesLabels()
    {
        using var dir = new TempDirectory();
        var manifests = dir.Write("teams.yaml", """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-a
              labels: { tier: front }
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-b
              labels: { tier: back }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: guard, namespace: default }
            spec:
              nodeSelector: { intent: apps }
              affinity:
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - topologyKey: kubernetes.io/hostname
                      labelSelector: { matchLabels: { app: web } }
                      namespaceSelector: { matchLabels: { tier: front } }
              containers: [ { name: main, image: app, resources: { requests: { cpu: 500m, memory: 512Mi } } } ]
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: web, namespace: team-a, labels: { app: web } }
            spec:
              nodeSelector: { intent: apps }
              containers: [ { name: main, image: app, resources: { requests: { cpu: 500m, memory: 512Mi } } } ]
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: web, namespace: team-b, labels: { app: web } }
            spec:
              nodeSelector: { intent: apps }
              containers: [ { name: main, image: app, resources: { requests: { cpu: 500m, memory: 512Mi } } } ]
            """);

        var (code, stdout, _) = await RunAsync("plan", "--format", "json", Example("provisioner-on-demand-apps.yaml"), manifests);

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var claims = doc.RootElement.GetProperty("nodeClaims").EnumerateArray()
            .Select(c => c.GetProperty("pods").EnumerateArray().Select(p => p.GetString()!).ToList()).ToList();
        var guard = Assert.Single(claims, pods => pods.Contains("default/guard"));
        Assert.DoesNotContain("team-a/web", guard); // tier=front: kept apart
        Assert.Contains("team-b/web", guard); // tier=back: free to share, and cheapest together
        Assert.Equal(2, claims.Count);
    }

    [Fact]
    public async Task Plan_UnknownKinds_AreSkippedWithANote()
    {
        var (code, _, stderr) = await RunAsync("plan", "--scale", "demo-nginx-nlb-karpenter=2", Example("provisioner-on-demand-apps.yaml"), Example("demo-nginx.yaml"));

        Assert.Equal(0, code);
        Assert.Contains("Found 2 provisionable pod(s)", stderr, StringComparison.Ordinal);
    }
}
