using System.Text.Json;
using Capstan.Host.Commands;
using Capstan.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Host.Tests.Planning;

/// <summary>`capstan plan` through <see cref="PlanCommand.Run"/>: quantities over the whole Kubernetes range, and what it prints for people.</summary>
public sealed class PlanQuantityTests
{
    private static readonly string s_inflate = Path.Combine(AppContext.BaseDirectory, "Examples", "inflate.yaml");

    [Fact]
    public void Plan_ProvisionerWithTenMillionGibibyteMemoryLimit_IsAcceptedAndPlans()
    {
        // Karpenter's own scheduling benchmark uses memory: 10000000Gi, past a long in milli-units.
        using var dir = new TempDirectory();
        var provisioner = dir.Write("provisioner.yaml", Provisioner(cpu: "100000", memory: "10000000Gi"));

        var (code, stdout, stderr) = Run("--format", "json", "--scale", "inflate=10", provisioner, s_inflate);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Empty(doc.RootElement.GetProperty("unschedulable").EnumerateArray());
        Assert.Equal(10, doc.RootElement.GetProperty("nodeClaims").EnumerateArray().Sum(c => c.GetProperty("pods").GetArrayLength()));
    }

    [Fact]
    public void Plan_Table_PrintsMemoryInBinaryUnits()
    {
        using var dir = new TempDirectory();
        var provisioner = dir.Write("provisioner.yaml", Provisioner(cpu: "1000", memory: "10000000Gi"));

        var (code, stdout, stderr) = Run("--scale", "inflate=10", provisioner, s_inflate);

        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("default-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, row =>
        {
            // e.g. "cpu 7/7910m, memory 10.5Gi/14.4Gi": Gi, never a long count of Ki.
            Assert.Matches(@"memory \d+(\.\d)?Gi/\d+(\.\d)?Gi", row);
            Assert.DoesNotContain("Ki", row, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Plan_LimitReached_TableSummarisesByReason_JsonListsEveryPod()
    {
        using var dir = new TempDirectory();
        var provisioner = dir.Write("provisioner.yaml", Provisioner(cpu: "10", memory: "10000000Gi"));

        var (code, table, stderr) = Run("--scale", "inflate=30", provisioner, s_inflate);
        var (jsonCode, json, _) = Run("--format", "json", "--scale", "inflate=30", provisioner, s_inflate);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, jsonCode);
        using var doc = JsonDocument.Parse(json);
        var unschedulable = doc.RootElement.GetProperty("unschedulable").EnumerateArray().ToList();
        Assert.True(unschedulable.Count > 3, $"expected more than three pods past the limit, got {unschedulable.Count}");
        var reason = unschedulable[0].GetProperty("reason").GetString()!;
        Assert.EndsWith("default: limits.resources.cpu 10 would be exceeded", reason, StringComparison.Ordinal);
        Assert.All(unschedulable, u => Assert.Equal(reason, u.GetProperty("reason").GetString()));

        // One line for the reason: the count, the reason, the first three names and an ellipsis.
        var names = unschedulable.Select(u => u.GetProperty("pod").GetString()!).ToList();
        var expected = $"Unschedulable {unschedulable.Count} pod(s): {reason} ({names[0]}, {names[1]}, {names[2]}, ...)";
        var lines = table.Split(Environment.NewLine).Where(l => l.StartsWith("Unschedulable", StringComparison.Ordinal)).ToList();
        Assert.Equal([expected], lines);
        Assert.DoesNotContain(names[3], table, StringComparison.Ordinal);
    }

    private static string Provisioner(string cpu, string memory) => $"""
        apiVersion: karpenter.sh/v1alpha5
        kind: Provisioner
        metadata:
          name: default
        spec:
          labels:
            intent: apps
          requirements:
            - key: karpenter.sh/capacity-type
              operator: In
              values: ["on-demand"]
          limits:
            resources:
              cpu: "{cpu}"
              memory: {memory}
          providerRef:
            name: default
        ---
        apiVersion: karpenter.k8s.aws/v1alpha1
        kind: AWSNodeTemplate
        metadata:
          name: default
        spec:
          subnetSelector:
            karpenter.sh/discovery: demo
          securityGroupSelector:
            karpenter.sh/discovery: demo
        """;

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var code = PlanCommand.Run(args, TextReader.Null, stdout, stderr, time);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
