using Capstan.Aws.AutoScaling;
using Capstan.Aws.Doctor;
using Capstan.Core.NodeGroups;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.AutoScaling;

public sealed class NodeGroupDoctorTests
{
    private static readonly TimeSpan s_timeout = ReadWorld.Timeout;

    [Fact]
    public async Task RunAsync_Groups_OneRowEachWithBoundsTemplateTypesZonesCapacityTypeLabelsAndTaints()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0abc", "ng-template", 1, "m5.large", isDefault: true);
        world.AutoScaling.Add(NodeGroupWorld.Group("general", NodeGroupWorld.Tags(
            (NodeGroupTemplate.LabelPrefix + "team", "web"),
            (NodeGroupTemplate.TaintPrefix + "dedicated", "web:NoSchedule"))));
        world.AutoScaling.Add(NodeGroupWorld.Group("spot") with
        {
            LaunchTemplate = null,
            MixedInstancesPolicy = new MixedInstancesPolicy
            {
                LaunchTemplate = new LaunchTemplate { Overrides = [new LaunchTemplateOverrides { InstanceType = "c5.xlarge" }, new LaunchTemplateOverrides { InstanceType = "m5a.large" }] },
                InstancesDistribution = new InstancesDistribution { OnDemandBaseCapacity = 0, OnDemandPercentageAboveBaseCapacity = 0 },
            },
        });

        var checks = await new NodeGroupDoctor(world.Provider()).RunAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["node groups", "node group general", "node group spot"], checks.Select(c => c.Name));
        Assert.All(checks, c => Assert.True(c.Ok, c.Detail));
        Assert.Equal("2 found: general, spot", checks[0].Detail);
        Assert.Equal("min 0, max 10, desired 1; launch template lt-0abc version $Default; types m5.large; zones us-east-1a, us-east-1b; on-demand; labels team=web; taints dedicated=web:NoSchedule", checks[1].Detail);
        Assert.Equal("min 0, max 10, desired 1; mixed instances policy (2 types); types c5.xlarge, m5a.large; zones us-east-1a, us-east-1b; spot", checks[2].Detail);
    }

    [Fact]
    public async Task RunAsync_NoGroups_SaysSoWithoutFailing()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");

        var check = Assert.Single(await new NodeGroupDoctor(world.Provider()).RunAsync(CancellationToken.None).WaitAsync(s_timeout));

        Assert.True(check.Ok);
        Assert.Equal(("node groups", "no groups carry the discovery tags"), (check.Name, check.Detail));
    }

    [Fact]
    public async Task RunAsync_GroupWithoutTypesOrWithBadTags_FailsItsRowWithTheFix()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0abc", "ng-template", 1, "m5.large", isDefault: true);
        world.AutoScaling.Add(NodeGroupWorld.Group("bad-tags", NodeGroupWorld.Tags((NodeGroupTemplate.TaintPrefix + "x", "NoSuchEffect"))));
        world.AutoScaling.Add(NodeGroupWorld.Group("no-types") with { LaunchTemplate = null });

        var checks = await new NodeGroupDoctor(world.Provider()).RunAsync(CancellationToken.None).WaitAsync(s_timeout);

        var badTags = Assert.Single(checks, c => c.Name == "node group bad-tags");
        Assert.False(badTags.Ok);
        Assert.Contains("tag k8s.io/cluster-autoscaler/node-template/taint/x: \"NoSuchEffect\" is not value:Effect", badTags.Detail, StringComparison.Ordinal);
        Assert.Equal("fix the group's k8s.io/cluster-autoscaler/node-template/ tags", badTags.Fix);
        var noTypes = Assert.Single(checks, c => c.Name == "node group no-types");
        Assert.False(noTypes.Ok);
        Assert.Contains("no launch template; no instance types", noTypes.Detail, StringComparison.Ordinal);
        Assert.StartsWith("give the launch template an instance type", noTypes.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DiscoveryDenied_FailsWithThePermissionsToGrant()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");
        world.Read.StandIn.Fail(new AwsFaultRule { Service = "autoscaling", Fault = AwsFault.Malformed });

        var check = Assert.Single(await new NodeGroupDoctor(world.Provider()).RunAsync(CancellationToken.None).WaitAsync(s_timeout));

        Assert.False(check.Ok);
        Assert.Equal("node groups", check.Name);
        Assert.Contains("Auto Scaling DescribeAutoScalingGroups", check.Detail, StringComparison.Ordinal);
        Assert.Contains("autoscaling:DescribeAutoScalingGroups", check.Fix, StringComparison.Ordinal);
    }
}
