using Capstan.Sandbox.Scenarios;

namespace Capstan.Sandbox.Tests.Scenarios;

/// <summary>
/// Scenario files with node groups: <c>nodeGroups:</c> at the top, Capstan configuration under <c>settings:</c>,
/// node group checks in expect and wait steps, every mistake named with its place, and the shipped
/// cluster-autoscaler scenario reading cleanly.
/// </summary>
public sealed class ScenarioNodeGroupsTests
{
    [Fact]
    public void Parse_NodeGroupsCapstanSettingsAndGroupChecks_ReadIntoTheModel()
    {
        var scenario = ScenarioFile.Parse("""
            name: groups
            settings:
              speed: 30
              Capstan:NodeGroups:Enabled: "true"
              Capstan:NodeGroups:ScaleDownUnneededTime: "00:10:00"
            nodeGroups:
              - name: group1
                minSize: 1
                maxSize: 2
                instanceTypes: [t3.medium]
                labels: {role: group1}
              - name: group2
                minSize: 0
                desiredCapacity: 3
                maxSize: 10
                instanceTypes: [c5.xlarge, c5a.xlarge]
                capacityType: spot
                zones: [us-east-1a]
                taints: ["dedicated=group2:NoSchedule", "gpu:NoExecute"]
                tags: {team: blue}
            steps:
              - expect: {runningPods: 0, nodeGroups: {group2: {desired: 2, readyNodes: 2, instances: 2, instanceTypes: [c5.xlarge]}}}
              - wait: {nodeGroups: {group2: {desired: 0}, group1: {readyNodes: 1}}, timeout: 30m}
            """, "groups.yaml", null);

        Assert.Equal(30, scenario.Settings.Speed);
        Assert.Equal(new Dictionary<string, string>
        {
            ["Capstan:NodeGroups:Enabled"] = "true",
            ["Capstan:NodeGroups:ScaleDownUnneededTime"] = "00:10:00",
        }, scenario.Settings.Configuration);

        Assert.Equal(2, scenario.NodeGroups.Count);
        var one = scenario.NodeGroups[0];
        Assert.Equal(("group1", 1, 1, 2, "on-demand"), (one.Name, one.MinSize, one.DesiredCapacity, one.MaxSize, one.CapacityType));
        Assert.Equal(["t3.medium"], one.InstanceTypes);
        Assert.Null(one.Zones);
        Assert.Equal("group1", one.Labels["role"]);
        Assert.Empty(one.Taints);
        var two = scenario.NodeGroups[1];
        Assert.Equal(("group2", 0, 3, 10, "spot"), (two.Name, two.MinSize, two.DesiredCapacity, two.MaxSize, two.CapacityType));
        Assert.Equal(["c5.xlarge", "c5a.xlarge"], two.InstanceTypes);
        Assert.Equal(["us-east-1a"], two.Zones!);
        Assert.Equal(["dedicated=group2:NoSchedule", "gpu:NoExecute"], two.Taints);
        Assert.Equal("blue", two.Tags["team"]);

        var expect = Assert.IsType<ExpectStep>(scenario.Steps[0]);
        Assert.Equal(0, expect.RunningPods);
        var check = expect.NodeGroups!["group2"];
        Assert.Equal((2, 2, 2), (check.Desired, check.ReadyNodes, check.Instances));
        Assert.Equal(["c5.xlarge"], check.InstanceTypes!);
        var wait = Assert.IsType<WaitStep>(scenario.Steps[1]);
        Assert.Equal(TimeSpan.FromMinutes(30), wait.Timeout);
        var groups = Assert.IsType<WaitCondition.NodeGroups>(wait.Condition);
        Assert.Equal(new NodeGroupCheck(0, null, null, null), groups.Checks["group2"]);
        Assert.Equal(new NodeGroupCheck(null, null, 1, null), groups.Checks["group1"]);
    }

    [Fact]
    public void Parse_WithoutNodeGroupsOrCapstanSettings_HasNone()
    {
        var scenario = ScenarioFile.Parse("name: s\nsettings:\n  speed: 2\nsteps:\n  - wait: {duration: 1s}\n", "s.yaml", null);

        Assert.Empty(scenario.NodeGroups);
        Assert.Empty(scenario.Settings.Configuration);
        Assert.Equal(ScenarioSettings.Default with { Speed = 2 }, scenario.Settings);
    }

    [Fact]
    public void Parse_BadNodeGroups_NamesEveryProblemWithItsPlace()
    {
        var errors = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("""
            name: bad
            settings:
              "Capstan:": x
            nodeGroups:
              - name: a
                minSize: 2
                maxSize: 1
                instanceTypes: [t3.medium]
              - name: b
                minSize: 0
                maxSize: 3
                capacityType: spto
                taints: ["dedicated=x:NoShedule"]
              - name: d
                minSize: 0
                maxSize: 1
                instanceTypes: [t3.medium]
                size: 3
              - name: c
                minSize: 0
                maxSize: 1
                instanceTypes: [t3.medium]
              - name: c
                minSize: 0
                maxSize: 1
                instanceTypes: [t3.medium]
            steps:
              - expect: {nodeGroups: {grup2: {desired: 1}}}
              - wait: {nodeGroups: {c: {instanceTypes: [t3.medium]}}}
            """, "bad.yaml", null)).Errors;

        Assert.Contains("bad.yaml, line 3, column 3: settings: \"Capstan:\" names no Capstan setting; write the whole key, such as Capstan:NodeGroups:Enabled", errors);
        Assert.Contains("bad.yaml, line 5, column 5: node group a: the sizes must satisfy minSize <= desiredCapacity <= maxSize, found 2, 2 and 1", errors);
        Assert.Contains("bad.yaml, line 9, column 5: node group b: instanceTypes is missing", errors);
        Assert.Contains(errors, e => e.StartsWith("bad.yaml, line 12, column 19: node group b: capacityType must be spot or on-demand, found \"spto\" (did you mean \"spot\"?)", StringComparison.Ordinal));
        Assert.Contains("bad.yaml, line 13, column 13: node group b: taint \"dedicated=x:NoShedule\" must be key=value:Effect or key:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute", errors);
        Assert.Contains("bad.yaml, line 18, column 5: node group d: \"size\" is not a field of a node group; it takes name, minSize, maxSize, desiredCapacity, instanceTypes, capacityType, zones, labels, taints or tags", errors);
        Assert.Contains("bad.yaml, line 23, column 5: node group c: there is already a node group \"c\"; names must be unique", errors);
        Assert.Contains("bad.yaml, line 28, column 27: step 1 (expect): there is no node group \"grup2\"; the scenario declares a, b, d or c", errors);
        Assert.Contains("bad.yaml, line 29, column 29: step 2 (wait): \"instanceTypes\" is not a field of a node group check; it takes desired, instances or readyNodes", errors);
        Assert.Equal(9, errors.Count);
    }

    [Fact]
    public void Load_TheShippedClusterAutoscalerScenario_ReadsItsGroupsSettingsAndChecks()
    {
        var scenario = ScenarioFile.Load(Path.Combine(RepositoryRoot(), "scenarios", "cluster-autoscaler.yaml"));

        Assert.Equal("cluster-autoscaler", scenario.Name);
        Assert.Equal("true", scenario.Settings.Configuration["Capstan:NodeGroups:Enabled"]);
        Assert.Equal("10m", scenario.Settings.Configuration["Capstan:NodeGroups:ScaleDownUnneededTime"]);
        Assert.Equal(["group1", "group2"], scenario.NodeGroups.Select(g => g.Name));
        var group1 = scenario.NodeGroups[0];
        Assert.Equal((1, 1, 2, "on-demand"), (group1.MinSize, group1.DesiredCapacity, group1.MaxSize, group1.CapacityType));
        Assert.Equal(["t3.medium"], group1.InstanceTypes);
        Assert.Equal("group1", group1.Labels["role"]);
        var group2 = scenario.NodeGroups[1];
        Assert.Equal((0, 0, 10, "spot"), (group2.MinSize, group2.DesiredCapacity, group2.MaxSize, group2.CapacityType));
        Assert.Equal(["c5.xlarge", "c5a.xlarge", "m5.xlarge", "m5a.xlarge"], group2.InstanceTypes);
        Assert.Equal(["dedicated=group2:NoSchedule"], group2.Taints);
        var scaled = scenario.Steps.OfType<ExpectStep>().Single(e => e.RunningPods == 5);
        Assert.Equal(new NodeGroupCheck(2, null, 2, ["c5.xlarge"]) with { InstanceTypes = scaled.NodeGroups!["group2"].InstanceTypes }, scaled.NodeGroups["group2"]);
        Assert.Equal(["c5.xlarge"], scaled.NodeGroups["group2"].InstanceTypes!);
        Assert.Contains(scenario.Steps.OfType<WaitStep>(), w => w.Condition is WaitCondition.NodeGroups g && g.Checks.TryGetValue("group2", out var c) && c.Desired == 0);
        Assert.Contains(scenario.Steps.OfType<ScaleStep>(), s => s.Name == "inflate" && s.Replicas == 5);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Extender.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Extender.sln not found above " + AppContext.BaseDirectory);
    }
}
