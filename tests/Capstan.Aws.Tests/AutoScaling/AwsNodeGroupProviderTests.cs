using Capstan.Aws.AutoScaling;
using Capstan.Core.Cloud;
using Capstan.Core.NodeGroups;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Tests.AutoScaling;

public sealed class AwsNodeGroupProviderTests
{
    private static readonly TimeSpan s_timeout = ReadWorld.Timeout;

    [Fact]
    public async Task DiscoverAsync_LaunchTemplateGroup_TagsGiveLabelsTaintsResourcesAndOfferingsStayInItsZones()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0abc", "ng-template", 1, "g4dn.xlarge", isDefault: true, isLatest: true);
        world.AutoScaling.Add(NodeGroupWorld.Group("gpu", NodeGroupWorld.Tags(
            (NodeGroupTemplate.LabelPrefix + "team", "ml"),
            (NodeGroupTemplate.TaintPrefix + "nvidia.com/gpu", "present:NoSchedule"),
            (NodeGroupTemplate.ResourcePrefix + "nvidia.com/gpu", "1"),
            (NodeGroupTemplate.ResourcePrefix + "ephemeral-storage", "100Gi"))));

        var group = Assert.Single(await world.Provider().DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal(("gpu", 0, 10, 1), (group.Name, group.MinSize, group.MaxSize, group.DesiredCapacity));
        Assert.Equal(["us-east-1a", "us-east-1b"], group.Zones);
        Assert.Equal(Labels.CapacityTypeOnDemand, group.CapacityType);
        Assert.Equal("launch template lt-0abc version $Default", group.TemplateDescription);
        var type = Assert.Single(group.InstanceTypes);
        Assert.Equal("g4dn.xlarge", type.Name);
        Assert.Equal([("us-east-1a", "on-demand"), ("us-east-1b", "on-demand")], type.Offerings.Select(o => (o.Zone, o.CapacityType)).Order().ToList());
        Assert.Equal(["us-east-1a", "us-east-1b"], type.Requirements.Get(Labels.Zone)!.Values.Order(StringComparer.Ordinal));
        Assert.Equal(["on-demand"], type.Requirements.Get(Labels.CapacityType)!.Values);
        Assert.Equal(Quantity.Parse("1"), type.Capacity["nvidia.com/gpu"]);
        Assert.Equal(Quantity.Parse("100Gi"), type.Capacity["ephemeral-storage"]);
        Assert.Equal(Quantity.Parse("4"), type.Capacity.Cpu);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "ml" }, group.Template.Labels.ToDictionary());
        Assert.Equal([new Taint("nvidia.com/gpu", "present", TaintEffect.NoSchedule)], group.Template.Taints);
        Assert.Equal("owned", group.Tags[NodeGroupTemplate.Prefix + NodeGroupWorld.Cluster]);
        Assert.Equal([new NodeGroupInstance("i-03aaa", "us-east-1a", "InService", "m5.large")], group.Instances);

        var describe = Assert.Single(world.Read.StandIn.CallsOf("autoscaling", "DescribeAutoScalingGroups"));
        Assert.Equal(("tag-key", NodeGroupTemplate.EnabledTag), (describe.Get("Filters.member.1.Name"), describe.Get("Filters.member.1.Values.member.1")));
        Assert.Equal(("tag-key", "k8s.io/cluster-autoscaler/demo-cluster"), (describe.Get("Filters.member.2.Name"), describe.Get("Filters.member.2.Values.member.1")));
        var versions = Assert.Single(world.Read.StandIn.CallsOf("ec2", "DescribeLaunchTemplateVersions"));
        Assert.Equal(("lt-0abc", "$Default"), (versions.Get("LaunchTemplateId"), versions.Get("LaunchTemplateVersion.1")));
    }

    [Fact]
    public async Task DiscoverAsync_MixedPolicyAllSpot_OverrideOrderKeptAndSpotOnly()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0own", "own", 3, "m5a.large");
        world.AutoScaling.Add(NodeGroupWorld.Group("spot") with
        {
            LaunchTemplate = null,
            AvailabilityZones = ["us-east-1c"],
            MixedInstancesPolicy = new MixedInstancesPolicy
            {
                LaunchTemplate = new LaunchTemplate
                {
                    LaunchTemplateSpecification = new LaunchTemplateSpecification { LaunchTemplateId = "lt-0abc", Version = "$Latest" },
                    Overrides =
                    [
                        new LaunchTemplateOverrides { InstanceType = "c5.xlarge", WeightedCapacity = "2" },
                        new LaunchTemplateOverrides { InstanceType = "m5.large" },
                        new LaunchTemplateOverrides { LaunchTemplateSpecification = new LaunchTemplateSpecification { LaunchTemplateId = "lt-0own", Version = "3" } },
                    ],
                },
                InstancesDistribution = new InstancesDistribution { OnDemandBaseCapacity = 0, OnDemandPercentageAboveBaseCapacity = 0, SpotAllocationStrategy = "price-capacity-optimized" },
            },
        });

        var group = Assert.Single(await world.Provider().DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal(Labels.CapacityTypeSpot, group.CapacityType);
        Assert.Equal(["c5.xlarge", "m5.large", "m5a.large"], group.InstanceTypes.Select(t => t.Name));
        Assert.Equal("c5.xlarge", group.PlannedType!.Name);
        Assert.All(group.InstanceTypes, t => Assert.Equal([("us-east-1c", "spot")], t.Offerings.Select(o => (o.Zone, o.CapacityType))));
        Assert.Equal("mixed instances policy (3 types)", group.TemplateDescription);
        var version = Assert.Single(world.Read.StandIn.CallsOf("ec2", "DescribeLaunchTemplateVersions"));
        Assert.Equal(("lt-0own", "3"), (version.Get("LaunchTemplateId"), version.Get("LaunchTemplateVersion.1")));
    }

    [Theory]
    [InlineData(0, 0, "spot")]
    [InlineData(1, 0, "on-demand")]
    [InlineData(0, 50, "on-demand")]
    [InlineData(null, null, "on-demand")]
    [InlineData(null, 0, "spot")]
    public void CapacityType_SpotOnlyWhenNothingIsOnDemand(int? baseCapacity, int? percentage, string expected)
    {
        var group = new AutoScalingGroup
        {
            MixedInstancesPolicy = new MixedInstancesPolicy
            {
                InstancesDistribution = baseCapacity is null && percentage is null ? null
                    : new InstancesDistribution { OnDemandBaseCapacity = baseCapacity, OnDemandPercentageAboveBaseCapacity = percentage },
            },
        };

        Assert.Equal(expected, AwsNodeGroupProvider.CapacityType(group, templateRequestsSpot: false));
        Assert.Equal("on-demand", AwsNodeGroupProvider.CapacityType(new AutoScalingGroup(), templateRequestsSpot: false));
        Assert.Equal("spot", AwsNodeGroupProvider.CapacityType(new AutoScalingGroup(), templateRequestsSpot: true));
    }

    [Fact]
    public async Task DiscoverAsync_LaunchTemplateVersionNumberWithSpotMarket_ThatVersionsTypeAtSpot()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0abc", "ng-template", 1, "m5.large", isDefault: true);
        world.Templates.Version("lt-0abc", "ng-template", 2, "c5.xlarge", isLatest: true, market: "spot");
        world.AutoScaling.Add(NodeGroupWorld.Group("v2") with { LaunchTemplate = new LaunchTemplateSpecification { LaunchTemplateName = "ng-template", Version = "2" } });

        var group = Assert.Single(await world.Provider().DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("c5.xlarge", group.PlannedType!.Name);
        Assert.Equal(Labels.CapacityTypeSpot, group.CapacityType);
        Assert.Equal("launch template ng-template version 2", group.TemplateDescription);
        var call = Assert.Single(world.Read.StandIn.CallsOf("ec2", "DescribeLaunchTemplateVersions"));
        Assert.Equal(("ng-template", "2", null), (call.Get("LaunchTemplateName"), call.Get("LaunchTemplateVersion.1"), call.Get("LaunchTemplateId")));
    }

    [Fact]
    public async Task DiscoverAsync_LaunchConfiguration_ItsInstanceType()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.AutoScaling.Add(new LaunchConfiguration { LaunchConfigurationName = "old-lc", InstanceType = "m5a.large" });
        world.AutoScaling.Add(NodeGroupWorld.Group("legacy") with { LaunchTemplate = null, LaunchConfigurationName = "old-lc" });

        var group = Assert.Single(await world.Provider().DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("m5a.large", group.PlannedType!.Name);
        Assert.Equal("launch configuration old-lc", group.TemplateDescription);
        Assert.Equal("old-lc", Assert.Single(world.Read.StandIn.CallsOf("autoscaling", "DescribeLaunchConfigurations")).Get("LaunchConfigurationNames.member.1"));
    }

    [Fact]
    public async Task DiscoverAsync_GroupsMissingATagOrOfAnotherCluster_AreNotDiscovered()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0abc", "ng-template", 1, "m5.large", isDefault: true);
        world.AutoScaling
            .Add(NodeGroupWorld.Group("ours"))
            .Add(NodeGroupWorld.Group("enabled-only", [new TagDescription { Key = NodeGroupTemplate.EnabledTag, Value = "true" }]))
            .Add(NodeGroupWorld.Group("cluster-only", [new TagDescription { Key = NodeGroupTemplate.Prefix + NodeGroupWorld.Cluster, Value = "owned" }]))
            .Add(NodeGroupWorld.Group("theirs", [new TagDescription { Key = NodeGroupTemplate.EnabledTag, Value = "true" }, new TagDescription { Key = NodeGroupTemplate.Prefix + "other-cluster", Value = "owned" }]))
            .Add(NodeGroupWorld.Group("going") with { Status = "Delete in progress" });

        var groups = await world.Provider().DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["ours"], groups.Select(g => g.Name));
    }

    [Fact]
    public async Task DiscoverAsync_EveryPage_FollowsNextToken()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0abc", "ng-template", 1, "m5.large", isDefault: true);
        foreach (var name in new[] { "ng-e", "ng-d", "ng-c", "ng-b", "ng-a" })
        {
            world.AutoScaling.Add(NodeGroupWorld.Group(name));
        }

        var groups = await world.Provider(pageSize: 2).DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["ng-a", "ng-b", "ng-c", "ng-d", "ng-e"], groups.Select(g => g.Name));
        var calls = world.Read.StandIn.CallsOf("autoscaling", "DescribeAutoScalingGroups");
        Assert.Equal([null, "page2", "page4"], calls.Select(c => c.Get("NextToken")));
        Assert.All(calls, c => Assert.Equal("2", c.Get("MaxRecords")));
        Assert.Single(world.Read.StandIn.CallsOf("ec2", "DescribeLaunchTemplateVersions"));
    }

    [Fact]
    public async Task DiscoverAsync_UnresolvableTypes_GroupKeptWithoutTypesAndTheReasonLoggedOnce()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.AutoScaling
            .Add(NodeGroupWorld.Group("missing-template") with { LaunchTemplate = new LaunchTemplateSpecification { LaunchTemplateId = "lt-0gone" } })
            .Add(NodeGroupWorld.Group("nothing") with { LaunchTemplate = null })
            .Add(NodeGroupWorld.Group("unknown-type") with { LaunchTemplate = null, MixedInstancesPolicy = new MixedInstancesPolicy
            {
                LaunchTemplate = new LaunchTemplate { Overrides = [new LaunchTemplateOverrides { InstanceType = "x9.huge" }] },
            } });
        var provider = world.Provider();

        var groups = await provider.DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout);
        await provider.DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["missing-template", "nothing", "unknown-type"], groups.Select(g => g.Name));
        Assert.All(groups, g => Assert.Empty(g.InstanceTypes));
        Assert.All(groups, g => Assert.Null(g.PlannedType));
        var warnings = world.Log.Lines.Where(l => l.Id.Id == 5401).Select(l => l.Message).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("missing-template", StringComparison.Ordinal) && w.Contains("launch template lt-0gone version $Default could not be read", StringComparison.Ordinal)
            && w.Contains("InvalidLaunchTemplateId.NotFound", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("the group names no launch template, mixed instances policy or launch configuration", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("x9.huge is not offered (or has no price) in us-east-1a, us-east-1b", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.Contains("Exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DiscoverAsync_ThrottledTwice_RetriedThenSucceeds()
    {
        await using var world = await NodeGroupWorld.StartAsync();
        world.Templates.Version("lt-0abc", "ng-template", 1, "m5.large", isDefault: true);
        world.AutoScaling.Add(NodeGroupWorld.Group("ng"));
        world.Read.StandIn.Fail(new AwsFaultRule { Service = "autoscaling", Action = "DescribeAutoScalingGroups", Fault = AwsFault.Throttle, Times = 2 });

        var groups = await world.Provider().DiscoverAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal("ng", Assert.Single(groups).Name);
        Assert.Equal(3, world.Read.StandIn.CallsOf("autoscaling", "DescribeAutoScalingGroups").Count);
    }

    [Theory]
    [InlineData("Throttling", 400, true)]
    [InlineData("RequestLimitExceeded", 400, true)]
    [InlineData("ScalingActivityInProgress", 400, true)]
    [InlineData("ResourceContention", 500, true)]
    [InlineData("InternalFailure", 500, true)]
    [InlineData("ServiceUnavailable", 503, true)]
    [InlineData("ValidationError", 400, false)]
    [InlineData("AccessDenied", 403, false)]
    [InlineData("InvalidClientTokenId", 403, false)]
    public async Task SetDesiredCapacityAsync_EachErrorCode_RetriedOrNotAndSaidInWords(string code, int status, bool retried)
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");
        world.AutoScaling.Add(NodeGroupWorld.Group("ng"));
        world.Read.StandIn.Add(new FailingAutoScaling(code, status));

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Provider().SetDesiredCapacityAsync("ng", 3, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal(code, error.Code);
        Assert.Equal(retried, error.Retryable);
        Assert.Equal("SetDesiredCapacity", error.Operation);
        Assert.Equal($"Auto Scaling SetDesiredCapacity failed: {code}: the fake says {code}", error.Message);
        Assert.Equal(retried ? world.Read.Options.MaxRetries + 1 : 1, world.Read.StandIn.CallsOf("autoscaling", "SetDesiredCapacity").Count);
    }

    [Fact]
    public async Task SetDesiredCapacityAsync_OnTheWireWithoutCooldown()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");
        world.AutoScaling.Add(NodeGroupWorld.Group("ng"));

        await world.Provider().SetDesiredCapacityAsync("ng", 5, CancellationToken.None).WaitAsync(s_timeout);

        var call = Assert.Single(world.Read.StandIn.CallsOf("autoscaling", "SetDesiredCapacity"));
        Assert.Equal(("ng", "5", "false"), (call.Get("AutoScalingGroupName"), call.Get("DesiredCapacity"), call.Get("HonorCooldown")));
        Assert.Equal(5, world.AutoScaling.Group("ng").DesiredCapacity);
        Assert.Contains(world.Log.Lines, l => l.Id.Id == 5403 && l.Message == "Node group ng: desired capacity set to 5");
    }

    [Fact]
    public async Task TerminateInstanceAsync_DecrementsDesiredCapacity_ThenNotFoundIsFalse()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");
        world.AutoScaling.Add(NodeGroupWorld.Group("ng") with { DesiredCapacity = 2 });
        var provider = world.Provider();

        Assert.True(await provider.TerminateInstanceAsync("i-02aaa", CancellationToken.None).WaitAsync(s_timeout));
        Assert.False(await provider.TerminateInstanceAsync("i-02aaa", CancellationToken.None).WaitAsync(s_timeout));

        var calls = world.Read.StandIn.CallsOf("autoscaling", "TerminateInstanceInAutoScalingGroup");
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(("i-02aaa", "true"), (c.Get("InstanceId"), c.Get("ShouldDecrementDesiredCapacity"))));
        Assert.Equal(1, world.AutoScaling.Group("ng").DesiredCapacity);
        Assert.Empty(world.AutoScaling.Group("ng").Instances);
        Assert.Contains(world.Log.Lines, l => l.Id.Id == 5405 && l.Level == LogLevel.Information);
    }

    [Fact]
    public async Task TerminateInstanceAsync_OtherValidationError_Throws()
    {
        await using var world = await NodeGroupWorld.StartAsync("m5.large");
        world.Read.StandIn.Add(new FailingAutoScaling("ValidationError", 400));

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Provider().TerminateInstanceAsync("i-0bbb", CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("ValidationError", error.Code);
        Assert.False(error.Retryable);
    }

    /// <summary>Auto Scaling that answers every call with one error.</summary>
    private sealed class FailingAutoScaling(string code, int status) : IAwsService
    {
        public string Name => "autoscaling";

        public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AwsReply.QueryError((System.Net.HttpStatusCode)status, AutoScalingFake.Ns, code, "the fake says " + code, sender: status < 500));
    }
}
