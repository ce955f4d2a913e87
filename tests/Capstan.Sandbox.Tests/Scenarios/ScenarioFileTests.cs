using Capstan.Core.Cloud;
using Capstan.Sandbox.Scenarios;

namespace Capstan.Sandbox.Tests.Scenarios;

/// <summary>Scenario files: every step form, the settings and their defaults, and every error with file, line, column and step.</summary>
public sealed class ScenarioFileTests : IDisposable
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: inflate }
        spec:
          replicas: 0
          selector: { matchLabels: { app: inflate } }
          template:
            metadata: { labels: { app: inflate } }
            spec:
              containers: [{ name: pause, image: pause, resources: { requests: { cpu: "1" } } }]
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("capstan-scenario-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_EveryStepForm_ReadsIntoTheModel()
    {
        File.WriteAllText(Path.Combine(_folder, "inflate.yaml"), Deployment);
        var path = Path.Combine(_folder, "tutorial.yaml");
        File.WriteAllText(path, """
            name: tutorial
            description: inflate 0 -> 10 -> 0
            settings:
              speed: 20
              nodeBootTime: 45s
              launchLatency: 500ms
              podStartTime: 1m30s
              timeout: 15m
            steps:
              - apply: inflate.yaml
              - apply: |
                  apiVersion: v1
                  kind: Namespace
                  metadata: { name: shop }
              - scale: {workload: inflate, replicas: 10}
              - scale: {workload: db, replicas: 3, kind: StatefulSet, namespace: shop}
              - wait: {allPodsRunning: true}
              - wait: {nodes: 2, timeout: 5m}
              - wait: {pendingPods: 0}
              - wait: {duration: 45s}
              - expect: {nodes: 2, runningPods: 10, pendingPods: 0, maxPricePerHour: 0.50, instanceTypes: [c6a.2xlarge]}
              - expect: {minNodes: 1, maxNodes: 3}
              - interrupt: {node: any, capacityType: spot, kind: spotInterruption}
              - interrupt: {node: ip-10-0-0-1.ec2.internal, kind: rebalanceRecommendation}
              - interrupt: {instanceType: c6a.2xlarge, zone: us-east-1a, kind: scheduledChange}
              - interrupt: {capacityType: on-demand, kind: instanceStopping}
              - capacityError: {instanceType: c6a.2xlarge, zone: us-east-1a, capacityType: spot}
              - capacityError: {instanceType: m6a.large, code: InsufficientFreeAddressesInSubnet}
              - delete: inflate.yaml
              - delete: {kind: Deployment, name: inflate, namespace: default}
              - delete: {kind: Namespace, name: shop}
            """);

        var scenario = ScenarioFile.Load(path);

        Assert.Equal("tutorial", scenario.Name);
        Assert.Equal("inflate 0 -> 10 -> 0", scenario.Description);
        Assert.Equal(_folder, scenario.SourceDirectory);
        Assert.Equal(new ScenarioSettings(20, TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(15)), scenario.Settings);
        Assert.Equal(Enumerable.Range(1, 19), scenario.Steps.Select(s => s.Number));
        Assert.Equal(10, scenario.Steps[0].Line);
        Assert.Equal(11, scenario.Steps[1].Line);
        Assert.Equal(15, scenario.Steps[2].Line);

        var file = Assert.IsType<ApplyStep>(scenario.Steps[0]);
        Assert.Equal(("inflate.yaml", Deployment), (file.SourceName, file.Yaml));
        var inline = Assert.IsType<ApplyStep>(scenario.Steps[1]);
        Assert.Equal($"{path}, step 2", inline.SourceName);
        Assert.Equal("apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n", inline.Yaml);

        Assert.Equal(new ScaleStep("Deployment", "inflate", "default", 10) { Number = 3, Line = 15 }, scenario.Steps[2]);
        Assert.Equal(new ScaleStep("StatefulSet", "db", "shop", 3), scenario.Steps[3] with { Number = 0, Line = 0 });
        Assert.Equal(new WaitStep(new WaitCondition.AllPodsRunning(), null), Unplaced(scenario.Steps[4]));
        Assert.Equal(new WaitStep(new WaitCondition.Nodes(2), TimeSpan.FromMinutes(5)), Unplaced(scenario.Steps[5]));
        Assert.Equal(new WaitStep(new WaitCondition.PendingPods(0), null), Unplaced(scenario.Steps[6]));
        Assert.Equal(new WaitStep(new WaitCondition.Duration(TimeSpan.FromSeconds(45)), null), Unplaced(scenario.Steps[7]));

        var expect = Assert.IsType<ExpectStep>(scenario.Steps[8]);
        Assert.Equal((2, (int?)null, (int?)null, 10, 0, 0.50m), (expect.Nodes, expect.MinNodes, expect.MaxNodes, expect.RunningPods, expect.PendingPods, expect.MaxPricePerHour));
        Assert.Equal(["c6a.2xlarge"], expect.InstanceTypes!);
        Assert.Equal(new ExpectStep(null, 1, 3, null, null, null, null), Unplaced(scenario.Steps[9]));

        Assert.Equal(new InterruptStep(null, null, null, "spot", InterruptionKind.SpotInterrupted), Unplaced(scenario.Steps[10]));
        Assert.Equal(new InterruptStep("ip-10-0-0-1.ec2.internal", null, null, null, InterruptionKind.RebalanceRecommendation), Unplaced(scenario.Steps[11]));
        Assert.Equal(new InterruptStep(null, "c6a.2xlarge", "us-east-1a", null, InterruptionKind.ScheduledChange), Unplaced(scenario.Steps[12]));
        Assert.Equal(new InterruptStep(null, null, null, "on-demand", InterruptionKind.InstanceStopped), Unplaced(scenario.Steps[13]));

        Assert.Equal(new CapacityErrorStep("c6a.2xlarge", "us-east-1a", "spot", "InsufficientInstanceCapacity"), Unplaced(scenario.Steps[14]));
        Assert.Equal(new CapacityErrorStep("m6a.large", null, null, "InsufficientFreeAddressesInSubnet"), Unplaced(scenario.Steps[15]));

        Assert.Equal(new DeleteStep("inflate.yaml", Deployment, null, null, null), Unplaced(scenario.Steps[16]));
        Assert.Equal(new DeleteStep(null, null, "Deployment", "inflate", "default"), Unplaced(scenario.Steps[17]));
        Assert.Equal(new DeleteStep(null, null, "Namespace", "shop", null), Unplaced(scenario.Steps[18]));
    }

    [Fact]
    public void Parse_WithoutSettings_UsesTheDefaults()
    {
        var scenario = Parse("name: s\nsteps:\n  - wait: {duration: 1s}\n");

        Assert.Equal(ScenarioSettings.Default, scenario.Settings);
        Assert.Equal(new ScenarioSettings(10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10)), scenario.Settings);
        Assert.Null(scenario.Description);
        Assert.Null(scenario.SourceDirectory);
    }

    [Fact]
    public void Parse_SomeSettings_KeepsTheDefaultsOfTheOthers()
    {
        var scenario = Parse("name: s\nsettings:\n  nodeBootTime: 0\n  speed: 1.5\nsteps:\n  - wait: {duration: 1s}\n");

        Assert.Equal(ScenarioSettings.Default with { Speed = 1.5, NodeBootTime = TimeSpan.Zero }, scenario.Settings);
    }

    [Fact]
    public void Parse_UnknownStep_SuggestsTheClosest()
    {
        var errors = Errors("name: s\nsteps:\n  - wait: {duration: 1s}\n  - scael: {workload: a, replicas: 1}\n");

        Assert.Equal(
            "s.yaml, line 4, column 5: step 2: \"scael\" is not a step (did you mean \"scale\"?); a step is one of apply, delete, scale, wait, expect, interrupt or capacityError",
            Assert.Single(errors));
    }

    [Fact]
    public void Parse_UnknownKeys_AreEachNamedWithSuggestions()
    {
        var errors = Errors("""
            name: s
            setings: {}
            steps:
              - wait: {nodes: 1, timout: 5m}
              - scale: {workload: a, replica: 1}
              - expect: {nodes: 1, colour: blue}
            """);

        Assert.Equal(
        [
            "s.yaml, line 2, column 1: \"setings\" is not a field of the scenario (did you mean \"settings\"?); it takes name, description, settings, nodeGroups or steps",
            "s.yaml, line 4, column 22: step 1 (wait): \"timout\" is not a field of wait (did you mean \"timeout\"?); it takes allPodsRunning, nodes, pendingPods, duration, nodeGroups or timeout",
            "s.yaml, line 5, column 26: step 2 (scale): \"replica\" is not a field of scale (did you mean \"replicas\"?); it takes workload, replicas, kind or namespace",
            "s.yaml, line 5, column 12: step 2 (scale): replicas is missing",
            "s.yaml, line 6, column 24: step 3 (expect): \"colour\" is not a field of expect; it takes nodes, minNodes, maxNodes, runningPods, pendingPods, maxPricePerHour, instanceTypes or nodeGroups",
        ], errors);
    }

    [Theory]
    [InlineData("wait: {duration: 10}", "step 1 (wait): duration must be a positive duration such as 500ms, 30s, 5m, 1h or 1m30s, found \"10\"")]
    [InlineData("wait: {duration: -5s}", "step 1 (wait): duration must be a positive duration such as 500ms, 30s, 5m, 1h or 1m30s, found \"-5s\"")]
    [InlineData("wait: {nodes: 2, timeout: 5 minutes}", "step 1 (wait): timeout must be a positive duration such as 500ms, 30s, 5m, 1h or 1m30s, found \"5 minutes\"")]
    [InlineData("wait: {duration: 0s}", "step 1 (wait): duration must be a positive duration such as 500ms, 30s, 5m, 1h or 1m30s, found \"0s\"")]
    public void Parse_BadDuration_IsAnError(string step, string expected)
    {
        var error = Assert.Single(Errors($"name: s\nsteps:\n  - {step}\n"));

        Assert.EndsWith(expected, error, StringComparison.Ordinal);
        Assert.StartsWith("s.yaml, line 3, column ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadSetting_NamesTheSetting()
    {
        var errors = Errors("name: s\nsettings:\n  speed: 5000\n  nodeBootTime: soon\nsteps:\n  - wait: {duration: 1s}\n");

        Assert.Equal(
        [
            "s.yaml, line 3, column 10: settings: speed must be a number more than 0 and at most 1000, found \"5000\"",
            "s.yaml, line 4, column 17: settings: nodeBootTime must be a duration such as 500ms, 30s, 5m, 1h or 1m30s, found \"soon\"",
        ], errors);
    }

    [Fact]
    public void Parse_NegativeReplicas_IsAnError()
    {
        var error = Assert.Single(Errors("name: s\nsteps:\n  - scale: {workload: inflate, replicas: -1}\n"));

        Assert.Equal("s.yaml, line 3, column 42: step 1 (scale): replicas must be a whole number, 0 or more, found \"-1\"", error);
    }

    [Fact]
    public void Parse_MissingFile_NamesTheFileAndWhereItWasLookedFor()
    {
        var error = Assert.Single(Errors("name: s\nsteps:\n  - apply: nowhere.yaml\n", _folder));

        Assert.Equal($"s.yaml, line 3, column 12: step 1 (apply): the file \"nowhere.yaml\" is not there (looked for {Path.Combine(_folder, "nowhere.yaml")})", error);
    }

    [Fact]
    public void Parse_InlineYamlThatIsNotAManifest_ReportsItsOwnErrors()
    {
        var errors = Errors("""
            name: s
            steps:
              - apply: |
                  kind: Pod
              - delete: |
                  apiVersion: v1
                  kind: Pod
                  kind: Pod
            """);

        Assert.Equal(
        [
            "s.yaml, line 3, column 12: step 1 (apply): s.yaml, step 1: document 1, line 1, column 1: the document has no apiVersion or kind",
            "s.yaml, line 5, column 13: step 2 (delete): s.yaml, step 2: document 1, line 3, column 1: the key \"kind\" appears twice in one mapping (first on line 2, column 1)",
        ], errors);
    }

    [Fact]
    public void Parse_ApplyOfNoObjects_IsAnError()
    {
        File.WriteAllText(Path.Combine(_folder, "empty.yaml"), "# nothing yet\n");

        var error = Assert.Single(Errors("name: s\nsteps:\n  - apply: empty.yaml\n", _folder));

        Assert.Equal("s.yaml, line 3, column 12: step 1 (apply): the file \"empty.yaml\" holds no Kubernetes object", error);
    }

    [Fact]
    public void Parse_EveryProblem_IsCollected()
    {
        var errors = Errors("""
            description: no name
            steps:
              - wait: {}
              - wait: {nodes: 1, pendingPods: 0}
              - wait: {allPodsRunning: false}
              - wait: {duration: 5s, timeout: 1m}
              - expect: {}
              - expect: {minNodes: 3, maxNodes: 1, maxPricePerHour: cheap, instanceTypes: {a: b}}
              - interrupt: {}
              - interrupt: {node: any, kind: meteor, capacityType: Spot}
              - capacityError: {zone: us-east-1a}
              - scale: {workload: a, replicas: 1, kind: deployment}
              - delete: {name: a}
              - apply: []
              - apply: a.yaml
                wait: {nodes: 1}
              - just text
            """);

        Assert.Equal(
        [
            "s.yaml, line 1, column 1: the scenario has no name (name: ...)",
            "s.yaml, line 3, column 11: step 1 (wait): wait needs one condition: allPodsRunning, nodes, pendingPods, duration or nodeGroups",
            "s.yaml, line 4, column 11: step 2 (wait): wait takes one condition, found nodes and pendingPods (use one wait step for each)",
            "s.yaml, line 5, column 28: step 3 (wait): allPodsRunning can only be true, found \"false\"",
            "s.yaml, line 6, column 35: step 4 (wait): a wait for a duration has no timeout: it always takes its duration",
            "s.yaml, line 7, column 13: step 5 (expect): expect needs at least one of nodes, minNodes, maxNodes, runningPods, pendingPods, maxPricePerHour, instanceTypes or nodeGroups",
            "s.yaml, line 8, column 57: step 6 (expect): maxPricePerHour must be dollars per hour such as 0.50, found \"cheap\"",
            "s.yaml, line 8, column 79: step 6 (expect): instanceTypes must be a list of instance type names, such as [c6a.2xlarge, m6a.xlarge]",
            "s.yaml, line 8, column 24: step 6 (expect): minNodes (3) is more than maxNodes (1)",
            "s.yaml, line 9, column 16: step 7 (interrupt): interrupt needs the node to interrupt: node: any, node: NAME, or an instanceType, zone or capacityType to choose one",
            "s.yaml, line 10, column 56: step 8 (interrupt): capacityType must be spot or on-demand, found \"Spot\" (did you mean \"spot\"?)",
            "s.yaml, line 10, column 34: step 8 (interrupt): kind must be one of spotInterruption, rebalanceRecommendation, scheduledChange or instanceStopping, found \"meteor\"",
            "s.yaml, line 11, column 20: step 9 (capacityError): instanceType is missing",
            "s.yaml, line 12, column 45: step 10 (scale): kind must be one of Deployment, StatefulSet or ReplicaSet, found \"deployment\" (did you mean \"Deployment\"?)",
            "s.yaml, line 13, column 13: step 11 (delete): kind is missing",
            "s.yaml, line 14, column 12: step 12 (apply): apply: takes a file name or inline YAML (a block scalar after \"|\")",
            "s.yaml, line 16, column 5: step 13: a step does one thing; this one has \"apply\" and \"wait\" (start another step with \"- \")",
            "s.yaml, line 17, column 5: step 14: a step is a mapping with one of apply, delete, scale, wait, expect, interrupt or capacityError, such as \"- apply: manifest.yaml\"",
        ], errors);
    }

    [Fact]
    public void Parse_BrokenYaml_GivesLineAndColumn()
    {
        var error = Assert.Single(Errors("name: s\nsteps:\n  - wait: {nodes: 1\n"));

        Assert.StartsWith("s.yaml, line ", error, StringComparison.Ordinal);
        Assert.Contains("this is not valid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_IsAnErrorWithItsPlace()
    {
        var error = Assert.Single(Errors("name: s\nname: t\nsteps:\n  - wait: {duration: 1s}\n"));

        Assert.StartsWith("s.yaml, line 2, column 1: this is not valid YAML", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "s.yaml: the scenario is empty; it needs a name and steps")]
    [InlineData("- a\n", "s.yaml, line 1, column 1: a scenario is a mapping with name, description, settings and steps")]
    [InlineData("name: s\n", "s.yaml, line 1, column 1: the scenario has no steps (steps: followed by a list)")]
    [InlineData("name: s\nsteps: []\n", "s.yaml, line 2, column 8: steps must be a list of at least one step")]
    [InlineData("name: s\nsteps: [{wait: {duration: 1s}}]\n---\nname: t\n", "s.yaml, line 4, column 1: a scenario is one YAML document; this file holds 2")]
    public void Parse_WrongShape_IsAnError(string yaml, string expected) =>
        Assert.Equal(expected, Assert.Single(Errors(yaml)));

    [Fact]
    public void Load_MissingScenario_SaysSo()
    {
        var path = Path.Combine(_folder, "absent.yaml");

        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Load(path));

        Assert.Equal($"{path}: the scenario file is not there", Assert.Single(e.Errors));
    }

    private static Scenario Parse(string yaml) => ScenarioFile.Parse(yaml, "s.yaml", null);

    private static IReadOnlyList<string> Errors(string yaml, string? directory = null) =>
        Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(yaml, "s.yaml", directory)).Errors;

    private static ScenarioStep Unplaced(ScenarioStep step) => step with { Number = 0, Line = 0 };
}
