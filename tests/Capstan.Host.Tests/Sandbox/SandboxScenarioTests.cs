using System.Text.Json.Nodes;
using Capstan.Testing;

namespace Capstan.Host.Tests.Sandbox;

/// <summary>
/// Every shipped scenario played by <c>capstan sandbox --exit-when-done</c> on a fast clock, through the command's
/// entry point: Capstan's production composition against the world's API and AWS endpoints. Each report is
/// asserted: pods bound, node counts and types, empty nodes gone, interrupted nodes replaced, nothing leaked or
/// launched twice. One class, so the scenarios run one after another rather than fight over the cores.
/// </summary>
public sealed class SandboxScenarioTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "scenarios", name + ".yaml");

    private async Task<(int Exit, JsonObject Report, string Output)> PlayAsync(string name, string speed = "20")
    {
        var report = Path.Combine(_dir.Path, name + ".json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CapstanCli.RunAsync(
            ["sandbox", "--scenario", Scenario(name), "--exit-when-done", "--speed", speed, "--listen", "https://127.0.0.1:0", "--report", report],
            TextReader.Null, TextWriter.Synchronized(stdout), stderr, TimeProvider.System).WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(File.Exists(report), $"no report; exit {exit}; stderr: {stderr}; stdout: {stdout}");
        return (exit, (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(report))!, stdout.ToString());
    }

    private static void AssertClean(JsonObject report, string output)
    {
        Assert.True((bool?)report["passed"] == true, $"{report["failedExpectations"]?.ToJsonString()}\n{output}");
        Assert.Empty(report["failedExpectations"]!.AsArray());
        Assert.Equal(0, (int?)report["leakedInstances"]);
        Assert.Equal(0, (int?)report["duplicateLaunches"]);
    }

    [Fact]
    public async Task Scenarios_EachShippedOne_PlaysToItsExpectations()
    {
        // The tutorial: ten pods bound onto two nodes, both gone 30 s after inflate went back to zero.
        var (exit, tutorial, output) = await PlayAsync("tutorial");
        Assert.Equal(0, exit);
        AssertClean(tutorial, output);
        Assert.Equal("tutorial", (string?)tutorial["scenario"]);
        Assert.Equal(10, (int?)tutorial["podsBound"]);
        Assert.InRange((int?)tutorial["maxNodes"] ?? 0, 1, 3);
        Assert.Equal((int?)tutorial["nodesLaunched"], (int?)tutorial["nodesTerminated"]);
        Assert.True((double?)tutorial["podTimeToBindSeconds"]!["p99"] > 0);
        Assert.True((decimal?)tutorial["costUsd"] > 0);
        Assert.Contains("scale deployment/inflate to 10", output, StringComparison.Ordinal);
        Assert.Contains("export KUBECONFIG=", output, StringComparison.Ordinal);

        // A spot node interrupted: its pods move to a replacement, the interrupted instance is terminated.
        var (spotExit, spot, spotOutput) = await PlayAsync("spot-interruption");
        Assert.Equal(0, spotExit);
        AssertClean(spot, spotOutput);
        Assert.True((int?)spot["nodesLaunched"] >= 2, "the interrupted node was replaced");
        Assert.True((int?)spot["nodesTerminated"] >= 1, "the interrupted node went");
        Assert.True((int?)spot["podsBound"] >= 10, "the five pods were bound twice: first launch and replacement");

        // Consolidation: from two nodes to one cheaper one.
        var (consolidationExit, consolidation, consolidationOutput) = await PlayAsync("consolidation");
        Assert.Equal(0, consolidationExit);
        AssertClean(consolidation, consolidationOutput);
        Assert.True((int?)consolidation["nodesTerminated"] >= 2, "both first nodes went: one deleted, one replaced by a cheaper type");

        // The HPA demo: 1 -> 6 -> 1 replicas, back to one node.
        var (hpaExit, hpa, hpaOutput) = await PlayAsync("hpa-demo");
        Assert.Equal(0, hpaExit);
        AssertClean(hpa, hpaOutput);
        Assert.True((int?)hpa["nodesTerminated"] >= 1);

        // Cluster Autoscaler's node groups: group2 grows from 0 to 2 for the five pods, then back to 0; group1 stays.
        var (groupsExit, groups, groupsOutput) = await PlayAsync("cluster-autoscaler", "30");
        Assert.Equal(0, groupsExit);
        AssertClean(groups, groupsOutput);
        Assert.Equal(5, (int?)groups["podsBound"]);
        Assert.Equal(2, (int?)groups["nodesTerminated"]);
        Assert.Contains("node group group2 at desired 0 after", groupsOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scenario_AGroupWithoutCapacity_IsTakenBackAndBackedOff_AndTheOtherGroupRunsThePods()
    {
        var (exit, report, output) = await PlayAsync("nodegroup-backoff", "30");

        Assert.True(exit == 0, $"{report["failedExpectations"]?.ToJsonString()}\n{output}");
        AssertClean(report, output);
        Assert.Equal(5, (int?)report["podsBound"]);
        Assert.Contains("expect: 2 node(s) (2 c5.xlarge), 5 running, 0 pending", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scenario_AFailedExpectation_ExitsOne_AndTheReportSaysWhich()
    {
        var file = _dir.Write("too-cheap.yaml", """
            name: too-cheap
            steps:
              - apply: |
                  apiVersion: apps/v1
                  kind: Deployment
                  metadata:
                    name: lonely
                  spec:
                    replicas: 1
                    selector:
                      matchLabels: {app: lonely}
                    template:
                      metadata:
                        labels: {app: lonely}
                      spec:
                        containers:
                          - name: pause
                            image: pause
                            resources: {requests: {cpu: "1"}}
              - wait: {pendingPods: 1, timeout: 1m}
              - expect: {nodes: 3}
            """);
        var report = Path.Combine(_dir.Path, "too-cheap.json");
        var stdout = new StringWriter();
        var exit = await CapstanCli.RunAsync(
            ["sandbox", "--scenario", file, "--exit-when-done", "--speed", "20", "--listen", "https://127.0.0.1:0", "--report", report],
            TextReader.Null, TextWriter.Synchronized(stdout), TextWriter.Null, TimeProvider.System).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(1, exit);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(report))!;
        Assert.False((bool?)json["passed"]);
        Assert.Contains(json["failedExpectations"]!.AsArray(), f => ((string?)f)!.Contains("expected 3 node(s), found 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scenario_WithNodeGroups_CreatesThem_TheirNodesRegister_AndItsCapstanSettingsReachTheHost()
    {
        const string Groups = """
            nodeGroups:
              - name: group1
                minSize: 1
                maxSize: 2
                instanceTypes: [t3.medium]
                labels: {role: group1}
            steps:
              - wait: {nodeGroups: {group1: {readyNodes: 1}}, timeout: 3m}
              - expect: {nodes: 1, nodeGroups: {group1: {desired: 1, instances: 1, readyNodes: 1, instanceTypes: [t3.medium]}}}
            """;
        var file = _dir.Write("groups.yaml", "name: groups\nsettings:\n  Capstan:NodeGroups:Enabled: \"true\"\n" + Groups);
        var report = Path.Combine(_dir.Path, "groups.json");
        var stdout = new StringWriter();
        var exit = await CapstanCli.RunAsync(
            ["sandbox", "--scenario", file, "--exit-when-done", "--speed", "20", "--listen", "https://127.0.0.1:0", "--report", report],
            TextReader.Null, TextWriter.Synchronized(stdout), TextWriter.Null, TimeProvider.System).WaitAsync(TimeSpan.FromMinutes(2));
        var json = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(report))!;
        Assert.Equal(0, exit);
        AssertClean(json, stdout.ToString());
        Assert.Equal(1, (int?)json["nodesLaunched"]);
        Assert.Contains("node group group1 at 1 Ready node(s) after", stdout.ToString(), StringComparison.Ordinal);

        // A setting Capstan refuses shows that the scenario's settings are Capstan's configuration.
        var refused = _dir.Write("refused.yaml", "name: refused\nsettings:\n  Capstan:Status:Decisions: \"0\"\n" + Groups);
        var stderr = new StringWriter();
        var refusedExit = await CapstanCli.RunAsync(
            ["sandbox", "--scenario", refused, "--exit-when-done", "--speed", "20", "--listen", "https://127.0.0.1:0"],
            TextReader.Null, TextWriter.Null, stderr, TimeProvider.System).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(2, refusedExit);
        Assert.Contains("Capstan:Status:Decisions must be between 1 and 100000", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scenario_ThatDoesNotParse_IsRefusedInWords_WithExitTwo()
    {
        var file = _dir.Write("broken.yaml", "name: broken\nsteps:\n  - sclae: {workload: inflate, replicas: 1}\n");
        var stderr = new StringWriter();
        var exit = await CapstanCli.RunAsync(["sandbox", "--scenario", file, "--exit-when-done"], TextReader.Null, TextWriter.Null, stderr, TimeProvider.System);
        Assert.Equal(2, exit);
        Assert.Contains("sclae", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("scale", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr.ToString(), StringComparison.Ordinal);
    }
}
