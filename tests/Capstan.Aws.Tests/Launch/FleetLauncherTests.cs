using Capstan.Aws.Launch;
using Capstan.Core.Cloud;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Tests.Launch;

public sealed class FleetLauncherTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private static Task<LaunchResult> LaunchAsync(LaunchWorld world, LaunchRequest request) =>
        world.Launcher.LaunchAsync(request, LaunchWorld.Template, CancellationToken.None).WaitAsync(s_timeout);

    private static List<(string Type, string Subnet, string Zone)> Overrides(AwsCall call, int config = 1)
    {
        var list = new List<(string, string, string)>();
        for (var i = 1; call.Get($"LaunchTemplateConfigs.{config}.Overrides.{i}.InstanceType") is { } type; i++)
        {
            list.Add((type, call.Get($"LaunchTemplateConfigs.{config}.Overrides.{i}.SubnetId")!, call.Get($"LaunchTemplateConfigs.{config}.Overrides.{i}.AvailabilityZone")!));
        }

        return list;
    }

    private static Dictionary<string, string> Tags(AwsCall call, int spec)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; call.Get($"TagSpecification.{spec}.Tag.{i}.Key") is { } key; i++)
        {
            tags[key] = call.Get($"TagSpecification.{spec}.Tag.{i}.Value")!;
        }

        return tags;
    }

    [Fact]
    public async Task LaunchAsync_SpotAllowed_SendsInstantSpotFleetWithRankedOverridesPerLaunchTemplate()
    {
        await using var world = await LaunchWorld.StartAsync();
        var types = new[] { LaunchWorld.Type("m5.large", 0.04, 0.096), LaunchWorld.Type("m6g.large", 0.03, 0.077) };

        var result = await LaunchAsync(world, LaunchWorld.Request("default-x7k2p", types, "spot", "on-demand"));

        var call = world.OnlyCall("CreateFleet");
        Assert.Equal("instant", call.Get("Type"));
        Assert.Equal("1", call.Get("TargetCapacitySpecification.TotalTargetCapacity"));
        Assert.Equal("spot", call.Get("TargetCapacitySpecification.DefaultTargetCapacityType"));
        Assert.Equal("price-capacity-optimized", call.Get("SpotOptions.AllocationStrategy"));
        Assert.Null(call.Get("OnDemandOptions.AllocationStrategy"));
        Assert.Equal("ctx-capstan", call.Get("Context"));
        Assert.Equal(ClientTokens.ForClaim(LaunchWorld.Cluster, "default-x7k2p"), call.Get("ClientToken"));

        // One launch template per AMI (amd64, arm64); one subnet per zone, the one with the most free addresses.
        var amd64 = world.Ec2.LaunchTemplates.Values.Single(t => t.ImageId == "ami-0amd64");
        var arm64 = world.Ec2.LaunchTemplates.Values.Single(t => t.ImageId == "ami-0arm64");
        Assert.Equal(amd64.Name, call.Get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName"));
        Assert.Equal("$Latest", call.Get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version"));
        Assert.Equal(
            [("m5.large", "subnet-a2", "us-east-1a"), ("m5.large", "subnet-b1", "us-east-1b"), ("m5.large", "subnet-c1", "us-east-1c")],
            Overrides(call, 1));
        Assert.Equal(arm64.Name, call.Get("LaunchTemplateConfigs.2.LaunchTemplateSpecification.LaunchTemplateName"));
        Assert.Equal(
            [("m6g.large", "subnet-a2", "us-east-1a"), ("m6g.large", "subnet-b1", "us-east-1b"), ("m6g.large", "subnet-c1", "us-east-1c")],
            Overrides(call, 2));

        var expectedTags = new Dictionary<string, string>
        {
            ["Name"] = "karpenter.sh/provisioner-name/default",
            ["capstan.dev/node-claim"] = "default-x7k2p",
            ["karpenter.sh/provisioner-name"] = "default",
            ["kubernetes.io/cluster/demo-cluster"] = "owned",
        };
        Assert.Equal("instance|volume|fleet", string.Join('|', Enumerable.Range(1, 3).Select(i => call.Get($"TagSpecification.{i}.ResourceType"))));
        Assert.Equal(expectedTags, Tags(call, 1));
        Assert.Equal(expectedTags, Tags(call, 2));
        Assert.Equal(expectedTags, Tags(call, 3));

        var instance = Assert.IsType<CloudInstance>(result.Instance);
        var launched = Assert.Single(world.Ec2.Instances);
        Assert.Equal(launched.InstanceId, instance.InstanceId);
        Assert.Equal("spot", instance.CapacityType);
        Assert.Equal(launched.InstanceType, instance.InstanceType);
        Assert.Equal(launched.Zone, instance.Zone);
        Assert.Equal($"aws:///{launched.Zone}/{launched.InstanceId}", instance.ProviderId);
        Assert.Equal("ip-10-0-1-1.ec2.internal", instance.PrivateDnsName);
        Assert.Equal("10.0.1.1", instance.PrivateIpAddress);
        Assert.Equal(world.Clock.GetUtcNow(), instance.LaunchTime);
        Assert.Equal("default-x7k2p", instance.ClaimName);
        Assert.Equal("owned", launched.Tags["kubernetes.io/cluster/demo-cluster"]);
        Assert.Empty(result.Failures);
        var line = Assert.Single(world.Logs.Lines, l => l.Id.Id == 5200);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal($"Launched instance: {instance.InstanceId}, hostname: ip-10-0-1-1.ec2.internal, type: {instance.InstanceType}, zone: {instance.Zone}, capacityType: spot", line.Message);
    }

    [Fact]
    public async Task LaunchAsync_OnDemandOnly_SendsLowestPriceAndLaunchesTheCheapest()
    {
        await using var world = await LaunchWorld.StartAsync();
        world.Ec2.SetLaunchPrice("m5.large", "on-demand", 0.096);
        world.Ec2.SetLaunchPrice("c5.large", "on-demand", 0.085);
        var types = new[] { LaunchWorld.Type("m5.large", 0.04, 0.096), LaunchWorld.Type("c5.large", 0.035, 0.085) };

        var result = await LaunchAsync(world, LaunchWorld.Request("od-1", types, "on-demand"));

        var call = world.OnlyCall("CreateFleet");
        Assert.Equal("on-demand", call.Get("TargetCapacitySpecification.DefaultTargetCapacityType"));
        Assert.Equal("lowest-price", call.Get("OnDemandOptions.AllocationStrategy"));
        Assert.Null(call.Get("SpotOptions.AllocationStrategy"));
        Assert.Equal(6, Overrides(call).Count);
        Assert.Equal("c5.large", result.Instance!.InstanceType);
        Assert.Equal("on-demand", result.Instance.CapacityType);
        Assert.Null(Assert.Single(world.Ec2.Instances).Tags.GetValueOrDefault("instanceLifecycle"));
    }

    [Fact]
    public async Task LaunchAsync_PartialCapacity_FallsBackAndMarksTheFailedOfferingUnavailable()
    {
        await using var world = await LaunchWorld.StartAsync();
        world.Ec2.SetLaunchPrice("c5.xlarge", "spot", 0.05);
        world.Ec2.SetLaunchPrice("m5.large", "spot", 0.06);
        world.Ec2.NoCapacity("c5.xlarge", "us-east-1a", "spot");
        var types = new[] { LaunchWorld.Type("c5.xlarge", 0.05, 0.17, "us-east-1a"), LaunchWorld.Type("m5.large", 0.06, 0.096, "us-east-1b") };

        var result = await LaunchAsync(world, LaunchWorld.Request("partial-1", types, "spot"));

        Assert.True(result.Launched);
        Assert.Equal(("m5.large", "us-east-1b", "spot"), (result.Instance!.InstanceType, result.Instance.Zone, result.Instance.CapacityType));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("c5.xlarge", "us-east-1a", "spot", "InsufficientInstanceCapacity"), (failure.InstanceType, failure.Zone, failure.CapacityType, failure.Code));
        Assert.StartsWith("We currently do not have sufficient c5.xlarge capacity", failure.Message, StringComparison.Ordinal);
        Assert.True(world.Unavailable.IsUnavailable("spot", "c5.xlarge", "us-east-1a"));
        Assert.False(world.Unavailable.IsUnavailable("spot", "m5.large", "us-east-1b"));
        Assert.Single(world.Ec2.Instances);
    }

    [Fact]
    public async Task LaunchAsync_AllSpotIce_ReportsEveryFailureAndTheNextLaunchIsOnDemand()
    {
        await using var world = await LaunchWorld.StartAsync();
        var types = new[] { LaunchWorld.Type("m5.large", 0.04, 0.096), LaunchWorld.Type("c5.large", 0.035, 0.085) };
        foreach (var type in new[] { "m5.large", "c5.large" })
        {
            foreach (var zone in new[] { "us-east-1a", "us-east-1b", "us-east-1c" })
            {
                world.Ec2.NoCapacity(type, zone, "spot");
            }
        }

        var first = await LaunchAsync(world, LaunchWorld.Request("ice-1", types, "spot", "on-demand"));

        Assert.False(first.Launched);
        Assert.Equal(6, first.Failures.Count);
        Assert.All(first.Failures, f => Assert.Equal(("spot", "InsufficientInstanceCapacity"), (f.CapacityType, f.Code)));
        Assert.Equal(6, world.Unavailable.Current().Count);
        Assert.Empty(world.Ec2.Instances);

        var second = await LaunchAsync(world, LaunchWorld.Request("ice-1-retry", types, "spot", "on-demand"));

        Assert.True(second.Launched);
        Assert.Equal("on-demand", second.Instance!.CapacityType);
        var calls = world.StandIn.CallsOf("ec2", "CreateFleet");
        Assert.Equal(2, calls.Count);
        Assert.Equal("on-demand", calls[1].Get("TargetCapacitySpecification.DefaultTargetCapacityType"));
        Assert.Equal("lowest-price", calls[1].Get("OnDemandOptions.AllocationStrategy"));
    }

    [Fact]
    public async Task LaunchAsync_SpotOnlyAndSpotExhausted_LaunchesNothingAndSendsNothing()
    {
        await using var world = await LaunchWorld.StartAsync();
        var types = new[] { LaunchWorld.Type("m5.large", 0.04, 0.096, "us-east-1a") };
        world.Unavailable.MarkUnavailable("spot", "m5.large", "us-east-1a", "InsufficientInstanceCapacity");

        var result = await LaunchAsync(world, LaunchWorld.Request("spot-only", types, "spot", "on-demand") with { SpotOnly = true });

        Assert.False(result.Launched);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("m5.large", "us-east-1a", "spot", "RecentlyUnavailable"), (failure.InstanceType, failure.Zone, failure.CapacityType, failure.Code));
        Assert.Empty(world.StandIn.CallsOf("ec2", "CreateFleet"));
    }

    [Fact]
    public async Task LaunchAsync_SpotDearerThanCheapestOnDemand_IsLeftOutOfTheOverrides()
    {
        await using var world = await LaunchWorld.StartAsync();
        var types = new[] { LaunchWorld.Type("m5.large", 0.04, 0.096), LaunchWorld.Type("c5.large", 0.09, 0.085) };

        await LaunchAsync(world, LaunchWorld.Request("dear-spot", types, "spot", "on-demand"));

        var overrides = Overrides(world.OnlyCall("CreateFleet"));
        Assert.Equal(3, overrides.Count);
        Assert.All(overrides, o => Assert.Equal("m5.large", o.Type));
    }

    [Fact]
    public async Task LaunchAsync_ZoneRequirementAndSixtyCap_KeepsAllowedZonesAndTruncates()
    {
        await using var world = await LaunchWorld.StartAsync();
        var types = LaunchWorld.Amd64Types(40).Select((n, i) => LaunchWorld.Type(n, 0.01 + (i * 0.001), 1)).ToList();
        var request = LaunchWorld.Request("many", types, "spot") with
        {
            Requirements = Requirements.Create(Requirement.In(Labels.CapacityType, "spot"), Requirement.In(Labels.Zone, "us-east-1a", "us-east-1c")),
            Kubelet = new KubeletSettings { MaxPods = 110 },
        };

        await LaunchAsync(world, request);

        var call = world.OnlyCall("CreateFleet");
        Assert.Null(call.Get("LaunchTemplateConfigs.2.LaunchTemplateSpecification.LaunchTemplateName"));
        var overrides = Overrides(call);
        Assert.Equal(FleetPlanner.MaxOverrides, overrides.Count);
        Assert.DoesNotContain(overrides, o => o.Zone == "us-east-1b");
        Assert.Equal(types.Take(30).SelectMany(t => new[] { (t.Name, "subnet-a2", "us-east-1a"), (t.Name, "subnet-c1", "us-east-1c") }), overrides);
    }

    [Fact]
    public async Task LaunchAsync_ThrottlingStorm_RetriesWithTheSameTokenAndLaunchesOnce()
    {
        await using var world = await LaunchWorld.StartAsync();
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "CreateFleet", Fault = AwsFault.Throttle, Times = 4 });

        var result = await LaunchAsync(world, LaunchWorld.Request("storm-1", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot"));

        Assert.True(result.Launched);
        var calls = world.StandIn.CallsOf("ec2", "CreateFleet");
        Assert.Equal(5, calls.Count);
        Assert.Single(calls.Select(c => c.Get("ClientToken")).Distinct());
        Assert.Single(world.Ec2.Instances);
    }

    [Fact]
    public async Task LaunchAsync_ThrottledPastTheRetries_ThrowsARetryableErrorInWordsAndLaunchesNothing()
    {
        await using var world = await LaunchWorld.StartAsync(maxRetries: 2);
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "CreateFleet", Fault = AwsFault.Throttle });

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => LaunchAsync(world, LaunchWorld.Request("storm-2", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot")));

        Assert.Equal(("CreateFleet", "RequestLimitExceeded", true), (error.Operation, error.Code, error.Retryable));
        Assert.Equal("EC2 CreateFleet failed: RequestLimitExceeded: Request limit exceeded.", error.Message);
        Assert.Equal(3, world.StandIn.CallsOf("ec2", "CreateFleet").Count);
        Assert.Empty(world.Ec2.Instances);
    }

    [Fact]
    public async Task LaunchAsync_ServerErrorsThenSuccess_LaunchesOnce()
    {
        await using var world = await LaunchWorld.StartAsync();
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "CreateFleet", Fault = AwsFault.ServerError, Times = 1 });
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "CreateFleet", Fault = AwsFault.Unavailable, Times = 1 });

        var result = await LaunchAsync(world, LaunchWorld.Request("5xx", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot"));

        Assert.True(result.Launched);
        Assert.Equal(3, world.StandIn.CallsOf("ec2", "CreateFleet").Count);
        Assert.Single(world.Ec2.Instances);
    }

    [Fact]
    public async Task LaunchAsync_CallHangs_TimesOutRetriesAndLaunchesOnce()
    {
        await using var world = await LaunchWorld.StartAsync(callTimeout: TimeSpan.FromMilliseconds(400));
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "CreateFleet", Fault = AwsFault.Hang, Times = 1, Delay = TimeSpan.FromSeconds(3) });

        var result = await LaunchAsync(world, LaunchWorld.Request("hang", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot"));

        Assert.True(result.Launched);
        var calls = world.StandIn.CallsOf("ec2", "CreateFleet");
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Get("ClientToken"), calls[1].Get("ClientToken"));
        Assert.Single(world.Ec2.Instances);
    }

    [Fact]
    public async Task LaunchAsync_SameClaimAfterRestart_GetsTheSameInstanceNotASecond()
    {
        await using var world = await LaunchWorld.StartAsync();
        var request = LaunchWorld.Request("restart-1", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot");
        var first = await LaunchAsync(world, request);

        world.NewLauncher();
        var second = await LaunchAsync(world, request);

        Assert.Equal(first.Instance!.InstanceId, second.Instance!.InstanceId);
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "CreateFleet").Count);
        Assert.Single(world.Ec2.Fleets);
        Assert.Single(world.Ec2.Instances);
    }

    [Fact]
    public async Task LaunchAsync_SameClaimReplannedAfterRestart_FindsTheEarlierInstanceByItsClaimTag()
    {
        await using var world = await LaunchWorld.StartAsync();
        var first = await LaunchAsync(world, LaunchWorld.Request("replanned", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot"));

        world.NewLauncher();
        var second = await LaunchAsync(world, LaunchWorld.Request("replanned", [LaunchWorld.Type("c5.large", 0.03, 0.085)], "spot"));

        Assert.Equal(first.Instance!.InstanceId, second.Instance!.InstanceId);
        Assert.Single(world.Ec2.Instances);
        var lookup = world.StandIn.CallsOf("ec2", "DescribeInstances")[^1];
        Assert.Contains(lookup.Filters(), f => f.Name == "tag:capstan.dev/node-claim" && f.Values.SequenceEqual(["replanned"]));
        Assert.Contains(world.Logs.Lines, l => l.Id.Id == 5207);
    }

    [Fact]
    public async Task LaunchAsync_InstanceNotDescribedAtFirst_WaitsForItAndReturnsItsDnsName()
    {
        await using var world = await LaunchWorld.StartAsync();
        world.Ec2.DescribeNotFoundAfterLaunch = 2;

        var result = await LaunchAsync(world, LaunchWorld.Request("eventual", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot"));

        Assert.Equal("ip-10-0-1-1.ec2.internal", result.Instance!.PrivateDnsName);
        Assert.Equal(3, world.StandIn.CallsOf("ec2", "DescribeInstances").Count);
    }

    [Fact]
    public async Task LaunchAsync_InstanceNeverDescribed_ReturnsTheFleetsAnswerAfterABoundedWait()
    {
        await using var world = await LaunchWorld.StartAsync();
        world.Ec2.DescribeNotFoundAfterLaunch = 100;

        var result = await LaunchAsync(world, LaunchWorld.Request("invisible", [LaunchWorld.Type("m5.large", 0.04, 0.096, "us-east-1b")], "spot"));

        Assert.Equal(5, world.StandIn.CallsOf("ec2", "DescribeInstances").Count);
        Assert.Null(result.Instance!.PrivateDnsName);
        Assert.Equal(("m5.large", "us-east-1b", "spot"), (result.Instance.InstanceType, result.Instance.Zone, result.Instance.CapacityType));
        Assert.Equal($"aws:///us-east-1b/{result.Instance.InstanceId}", result.Instance.ProviderId);
    }

    [Fact]
    public async Task LaunchAsync_UserManagedTemplateMissing_ThrowsInWordsWithoutCreatingOne()
    {
        await using var world = await LaunchWorld.StartAsync();
        var template = LaunchWorld.Template with { Template = LaunchWorld.Template.Template with { LaunchTemplateName = "my-team-template" } };

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Launcher
            .LaunchAsync(LaunchWorld.Request("user-lt", [LaunchWorld.Type("m5.large", 0.04, 0.096)], "spot"), template, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("InvalidLaunchTemplateName.NotFoundException", error.Code);
        Assert.Contains("The specified launch template, with template name my-team-template, does not exist.", error.Message, StringComparison.Ordinal);
        Assert.Equal("my-team-template", world.StandIn.CallsOf("ec2", "CreateFleet")[0].Get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName"));
        Assert.Empty(world.StandIn.CallsOf("ec2", "CreateLaunchTemplate"));
        Assert.Empty(world.Ec2.LaunchTemplates);
    }
}
