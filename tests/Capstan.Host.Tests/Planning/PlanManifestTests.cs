using System.Text.Json;
using Capstan.Testing;
using static Capstan.Host.Tests.Planning.PlanCli;

namespace Capstan.Host.Tests.Planning;

/// <summary>`capstan plan` reading its manifests: warnings, errors in words, and the webhook's defaulting and validation.</summary>
public sealed class PlanManifestTests
{
    [Theory]
    [InlineData("provisioner-on-demand-apps.yaml")]
    [InlineData("provisioner-spot-apps.yaml")]
    [InlineData("provisioner-spot-discovery.yaml")]
    [InlineData("provisioner-inline-provider.yaml")]
    public async Task Plan_TutorialManifests_GiveNoWarnings(string provisioner)
    {
        var (code, _, stderr) = await RunAsync("plan", "--scale", "inflate=3", Example(provisioner), Example("inflate.yaml"), Example("demo-nginx.yaml"));

        Assert.Equal(0, code);
        Assert.DoesNotContain("warning", stderr, StringComparison.Ordinal);
        Assert.Contains("Found 4 provisionable pod(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_UnknownField_IsAWarningOnStandardErrorAndThePlanGoesOn()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("provisioner.yaml", """
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: default
            spec:
              limit:
                resources:
                  cpu: 1000
              providerRef:
                name: default
            """);
        var pods = dir.Write("pods.yaml", Deployment("web", 2, "1"));

        var (code, stdout, stderr) = await RunAsync("plan", "--format", "json", file, pods);

        Assert.Equal(0, code);
        Assert.Contains($"capstan plan: warning: {file}: document 1, line 6, column 3: unknown field \"spec.limit\" (did you mean \"limits\"?)\n", stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(stdout);
        Assert.NotEmpty(doc.RootElement.GetProperty("nodeClaims").EnumerateArray());
    }

    [Fact]
    public async Task Plan_ProvisionerWithoutRequirements_IsDefaultedAsTheWebhookDefaultsIt()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("provisioner.yaml", """
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: bare
            spec:
              providerRef:
                name: default
            """);
        var pods = dir.Write("pods.yaml", Deployment("web", 3, "1"));

        var (code, stdout, _) = await RunAsync("plan", "--format", "json", file, pods);

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var claims = doc.RootElement.GetProperty("nodeClaims").EnumerateArray().ToList();
        Assert.NotEmpty(claims);
        Assert.All(claims, c => Assert.Equal("on-demand", c.GetProperty("capacityType").GetString()));
        Assert.All(claims, c => Assert.All(c.GetProperty("instanceTypeOptions").EnumerateArray(), o => Assert.DoesNotContain("g.", o.GetString()!, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Plan_ProvisionerTheWebhookWouldDeny_IsRefusedWithEveryViolation()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("provisioner.yaml", """
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: Bad_Name
            spec:
              weight: 500
              ttlSecondsAfterEmpty: -1
              providerRef:
                name: default
            """);
        var pods = dir.Write("pods.yaml", Deployment("web", 1, "1"));

        var (code, stdout, stderr) = await RunAsync("plan", file, pods);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var lines = stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var prefix = $"capstan plan: {file}: document 1: Provisioner \"Bad_Name\" is refused, as the webhook would refuse it: ";
        Assert.Contains(lines, l => l.StartsWith(prefix + "metadata.name: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(prefix + "spec.weight: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(prefix + "spec.ttlSecondsAfterEmpty: ", StringComparison.Ordinal));
        Assert.DoesNotContain("Found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_BadQuantity_NamesFileDocumentLineColumnAndField()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("pods.yaml", Deployment("web", 1, "banana"));

        var (code, _, stderr) = await RunAsync("plan", Example("provisioner-on-demand-apps.yaml"), file);

        Assert.Equal(2, code);
        Assert.Equal(
            $"capstan plan: {file}: document 1, line 21, column 20: spec.template.spec.containers[0].resources.requests.cpu: \"banana\" is not a quantity\n",
            stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Plan_DirectoryAndMissingFile_AreNamedInWords()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "missing.yaml");

        var (code, _, stderr) = await RunAsync("plan", dir.Path, missing);

        Assert.Equal(2, code);
        Assert.Equal($"capstan plan: {dir.Path}: is a directory\ncapstan plan: {missing}: no such file\n", stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Plan_DuplicateKey_IsAnErrorWithItsPlace()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("pods.yaml", Deployment("web", 1, "1").Replace("  replicas: 1\n", "  replicas: 1\n  replicas: 2\n", StringComparison.Ordinal));

        var (code, _, stderr) = await RunAsync("plan", file);

        Assert.Equal(2, code);
        Assert.Contains($"capstan plan: {file}: document 1, line 7, column 3: spec.replicas: the key \"replicas\" appears twice", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_SameWorkloadInTwoFiles_TheLastWinsWithAWarning()
    {
        using var dir = new TempDirectory();
        var first = dir.Write("a.yaml", Deployment("web", 1, "1"));
        var second = dir.Write("b.yaml", Deployment("web", 4, "1"));

        var (code, _, stderr) = await RunAsync("plan", Example("provisioner-on-demand-apps.yaml"), first, second);

        Assert.Equal(0, code);
        Assert.Contains($"capstan plan: warning: {second}: document 1: Deployment \"default/web\" is also given in {first}: document 1; this later one is used", stderr, StringComparison.Ordinal);
        Assert.Contains("Found 4 provisionable pod(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_KubectlListOutput_IsExpanded()
    {
        using var dir = new TempDirectory();
        var list = "apiVersion: v1\nkind: List\nitems:\n" + string.Join("", Deployment("web", 2, "1").Split('\n').Select((l, i) => (i == 0 ? "- " : "  ") + l + "\n"));
        var file = dir.Write("list.yaml", list);

        var (code, _, stderr) = await RunAsync("plan", Example("provisioner-on-demand-apps.yaml"), file);

        Assert.Equal(0, code);
        Assert.Contains("Found 2 provisionable pod(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_AClusterDump_CountsBoundPodsOnTheirNodes_AndPlansOnlyThePendingOnes()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("cluster.yaml", """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Pod
                metadata: { name: running, namespace: default }
                spec:
                  nodeName: ip-10-0-0-1.ec2.internal
                  nodeSelector: { intent: apps }
                  containers: [{ name: c, image: x, resources: { requests: { cpu: 500m, memory: 1Gi } } }]
                status: { phase: Running }
              - apiVersion: v1
                kind: Pod
                metadata: { name: finished, namespace: default }
                spec:
                  nodeName: ip-10-0-0-1.ec2.internal
                  containers: [{ name: c, image: x, resources: { requests: { cpu: "1" } } }]
                status: { phase: Failed }
              - apiVersion: v1
                kind: Pod
                metadata: { name: waiting, namespace: default }
                spec:
                  nodeSelector: { intent: apps }
                  containers: [{ name: c, image: x, resources: { requests: { cpu: 1500m, memory: 1Gi } } }]
                status: { phase: Pending }
              - apiVersion: v1
                kind: Node
                metadata:
                  name: ip-10-0-0-1.ec2.internal
                  labels:
                    intent: apps
                    kubernetes.io/arch: amd64
                    kubernetes.io/os: linux
                    topology.kubernetes.io/zone: us-east-1a
                status: { allocatable: { cpu: 1930m, memory: 7Gi, pods: "29" } }
            """);

        var (code, stdout, stderr) = await RunAsync("plan", "--format", "json", Example("provisioner-on-demand-apps.yaml"), file);

        // The running pod keeps its 500m on the node, so the waiting pod does not fit there and gets a node of its own.
        Assert.True(code == 0, stderr);
        Assert.Contains("Found 1 provisionable pod(s)", stderr, StringComparison.Ordinal);
        Assert.Contains("capstan plan: note: 1 finished pod(s) (Succeeded or Failed) take no capacity and are left out (default/finished)", stderr, StringComparison.Ordinal);
        using var plan = JsonDocument.Parse(stdout);
        var claim = Assert.Single(plan.RootElement.GetProperty("nodeClaims").EnumerateArray());
        Assert.Equal(["default/waiting"], claim.GetProperty("pods").EnumerateArray().Select(p => p.GetString()));
        Assert.Empty(plan.RootElement.GetProperty("existingNodes").EnumerateArray());
    }
}
