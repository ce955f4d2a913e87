using System.Xml.Linq;
using Capstan.Sandbox.Aws;
using static Capstan.Sandbox.Tests.Aws.AutoScalingHarness;

namespace Capstan.Sandbox.Tests.Aws;

/// <summary>
/// The Auto Scaling stand-in over HTTP, as Capstan's client meets it: describe with tag filters and paging, desired
/// capacity within and outside the bounds, groups reconciling through EC2 (pending, then in service; the next type on a
/// capacity error), terminations with and without decrement, and the scaling activities of every change.
/// </summary>
public sealed class AutoScalingStandInTests : IAsyncLifetime
{
    private static readonly StandInGroupTag[] s_discovered =
    [
        new("k8s.io/cluster-autoscaler/enabled", "true", false),
        new("k8s.io/cluster-autoscaler/sandbox", "owned", false),
        new("team", "blue", true),
    ];

    private AutoScalingHarness _h = null!;

    public async Task InitializeAsync() => _h = await StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Describe_FiltersByTagKeyTagValueAndTagName_AndByNames()
    {
        _h.AddGroup("alpha", 0, 0, 3, ["t3.medium"], tags: s_discovered);
        _h.AddGroup("beta", 0, 0, 3, ["t3.medium"], tags: [new("k8s.io/cluster-autoscaler/enabled", "false", false)]);
        _h.AddGroup("gamma", 0, 0, 3, ["t3.medium"]);

        static List<string> Names(List<XElement> groups) => [.. groups.Select(g => Text(g, "AutoScalingGroupName"))];
        Assert.Equal(["alpha", "beta", "gamma"], Names(await _h.DescribeGroupsAsync()));
        Assert.Equal(["alpha", "beta"], Names(await _h.DescribeGroupsAsync(("Filters.member.1.Name", "tag-key"), ("Filters.member.1.Values.member.1", "k8s.io/cluster-autoscaler/enabled"))));
        Assert.Equal(["alpha"], Names(await _h.DescribeGroupsAsync(
            ("Filters.member.1.Name", "tag-key"), ("Filters.member.1.Values.member.1", "k8s.io/cluster-autoscaler/enabled"),
            ("Filters.member.2.Name", "tag-key"), ("Filters.member.2.Values.member.1", "k8s.io/cluster-autoscaler/sandbox"))));
        Assert.Equal(["beta"], Names(await _h.DescribeGroupsAsync(("Filters.member.1.Name", "tag:k8s.io/cluster-autoscaler/enabled"), ("Filters.member.1.Values.member.1", "false"))));
        Assert.Equal(["alpha"], Names(await _h.DescribeGroupsAsync(("Filters.member.1.Name", "tag-value"), ("Filters.member.1.Values.member.1", "blue"), ("Filters.member.1.Values.member.2", "red"))));
        Assert.Equal(["gamma", "alpha"], Names(await _h.DescribeGroupsAsync(("AutoScalingGroupNames.member.1", "gamma"), ("AutoScalingGroupNames.member.2", "alpha"), ("AutoScalingGroupNames.member.3", "nope")))
            .OrderByDescending(n => n).ToList());
        Assert.Empty(await _h.DescribeGroupsAsync(("AutoScalingGroupNames.member.1", "nope")));
        AssertError(await _h.AutoScalingAsync("DescribeAutoScalingGroups", ("Filters.member.1.Name", "instance-type"), ("Filters.member.1.Values.member.1", "x")),
            "ValidationError", "Filter type instance-type is not correct. Allowed Filter types are: tag-key, tag-value and tag:<key>");
    }

    [Fact]
    public async Task Describe_PagesWithMaxRecordsAndNextToken_DefaultFifty_AtMostHundred()
    {
        for (var i = 0; i < 53; i++)
        {
            _h.AddGroup($"g{i:00}", 0, 0, 1, ["t3.medium"]);
        }

        var (_, first) = await _h.AutoScalingAsync("DescribeAutoScalingGroups");
        var result = first.Element(As + "DescribeAutoScalingGroupsResult")!;
        Assert.Equal(50, result.Element(As + "AutoScalingGroups")!.Elements(As + "member").Count());
        var token = result.Element(As + "NextToken")!.Value;
        var (_, second) = await _h.AutoScalingAsync("DescribeAutoScalingGroups", ("NextToken", token));
        var rest = second.Element(As + "DescribeAutoScalingGroupsResult")!;
        Assert.Equal(["g50", "g51", "g52"], rest.Element(As + "AutoScalingGroups")!.Elements(As + "member").Select(g => Text(g, "AutoScalingGroupName")));
        Assert.Null(rest.Element(As + "NextToken"));

        var names = new List<string>();
        string? next = null;
        do
        {
            var parameters = new List<(string, string)> { ("MaxRecords", "20") };
            if (next is not null)
            {
                parameters.Add(("NextToken", next));
            }

            var (_, page) = await _h.AutoScalingAsync("DescribeAutoScalingGroups", [.. parameters]);
            var body = page.Element(As + "DescribeAutoScalingGroupsResult")!;
            names.AddRange(body.Element(As + "AutoScalingGroups")!.Elements(As + "member").Select(g => Text(g, "AutoScalingGroupName")));
            next = body.Element(As + "NextToken")?.Value;
        }
        while (next is not null);
        Assert.Equal(53, names.Distinct().Count());

        AssertError(await _h.AutoScalingAsync("DescribeAutoScalingGroups", ("MaxRecords", "101")), "ValidationError",
            "1 validation error detected: Value '101' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100");
        AssertError(await _h.AutoScalingAsync("DescribeAutoScalingGroups", ("NextToken", "bm90IGEgdG9rZW4=")), "InvalidNextToken", "The token is invalid.");
    }

    [Fact]
    public async Task Describe_WritesEveryFieldOfAMixedSpotGroup_AndALaunchTemplateGroup()
    {
        _h.AddGroup("spotty", 0, 0, 10, ["c5.xlarge", "c5a.xlarge", "m5.xlarge"], "spot", s_discovered);
        _h.AddGroup("plain", 1, 1, 2, ["t3.medium"], subnets: ["subnet-0b"]);
        _h.AutoScaling.Reconcile();

        var spot = await _h.DescribeGroupAsync("spotty");
        Assert.StartsWith("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:", Text(spot, "AutoScalingGroupARN"), StringComparison.Ordinal);
        Assert.EndsWith(":autoScalingGroupName/spotty", Text(spot, "AutoScalingGroupARN"), StringComparison.Ordinal);
        Assert.Null(spot.Element(As + "LaunchTemplate"));
        var policy = spot.Element(As + "MixedInstancesPolicy")!;
        var template = _h.Ec2StandIn.LaunchTemplates["lt-spotty"];
        Assert.Equal(template.Id, Text(policy, "LaunchTemplate", "LaunchTemplateSpecification", "LaunchTemplateId"));
        Assert.Equal("lt-spotty", Text(policy, "LaunchTemplate", "LaunchTemplateSpecification", "LaunchTemplateName"));
        Assert.Equal(["c5.xlarge", "c5a.xlarge", "m5.xlarge"],
            policy.Element(As + "LaunchTemplate")!.Element(As + "Overrides")!.Elements(As + "member").Select(o => o.Element(As + "InstanceType")!.Value));
        Assert.Equal("0", Text(policy, "InstancesDistribution", "OnDemandPercentageAboveBaseCapacity"));
        Assert.Equal("0", Text(policy, "InstancesDistribution", "OnDemandBaseCapacity"));
        Assert.Equal("capacity-optimized-prioritized", Text(policy, "InstancesDistribution", "SpotAllocationStrategy"));
        Assert.Equal(("0", "10", "0"), (Text(spot, "MinSize"), Text(spot, "MaxSize"), Text(spot, "DesiredCapacity")));
        Assert.Equal(["us-east-1a", "us-east-1b"], spot.Element(As + "AvailabilityZones")!.Elements(As + "member").Select(z => z.Value));
        Assert.Equal("subnet-0a,subnet-0b", Text(spot, "VPCZoneIdentifier"));
        Assert.Empty(Instances(spot));
        var tags = spot.Element(As + "Tags")!.Elements(As + "member").ToList();
        Assert.Equal(3, tags.Count);
        Assert.All(tags, t => Assert.Equal(("spotty", "auto-scaling-group"), (Text(t, "ResourceId"), Text(t, "ResourceType"))));
        var team = tags.Single(t => Text(t, "Key") == "team");
        Assert.Equal(("blue", "true"), (Text(team, "Value"), Text(team, "PropagateAtLaunch")));
        Assert.Equal("false", Text(tags.Single(t => Text(t, "Key") == "k8s.io/cluster-autoscaler/enabled"), "PropagateAtLaunch"));

        var plain = await _h.DescribeGroupAsync("plain");
        Assert.Null(plain.Element(As + "MixedInstancesPolicy"));
        Assert.Equal(_h.Ec2StandIn.LaunchTemplates["lt-plain"].Id, Text(plain, "LaunchTemplate", "LaunchTemplateId"));
        Assert.Equal("$Latest", Text(plain, "LaunchTemplate", "Version"));
        Assert.Equal(["us-east-1b"], plain.Element(As + "AvailabilityZones")!.Elements(As + "member").Select(z => z.Value));
        var instance = Assert.Single(Instances(plain));
        Assert.Equal(("t3.medium", "us-east-1b", "Pending", "Healthy"),
            (Text(instance, "InstanceType"), Text(instance, "AvailabilityZone"), Text(instance, "LifecycleState"), Text(instance, "HealthStatus")));
        Assert.Matches("^i-[0-9a-f]{17}$", Text(instance, "InstanceId"));
        Assert.Empty(Instances(Assert.Single(await _h.DescribeGroupsAsync(("AutoScalingGroupNames.member.1", "plain"), ("IncludeInstances", "false")))));
    }

    [Fact]
    public async Task SetDesiredCapacity_WithinBounds_LaunchesBalancedAcrossZones_PendingThenInService_VisibleInEc2WithTags()
    {
        _h.AddGroup("web", 0, 0, 10, ["t3.medium"], tags: s_discovered);

        var (status, body) = await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "web"), ("DesiredCapacity", "3"), ("HonorCooldown", "false"));
        Assert.Equal(200, status);
        Assert.Equal("SetDesiredCapacityResponse", body.Name.LocalName);
        Assert.False(string.IsNullOrEmpty(Text(body, "ResponseMetadata", "RequestId")));
        Assert.Empty(Instances(await _h.DescribeGroupAsync("web")));

        _h.AutoScaling.Reconcile();
        var group = await _h.DescribeGroupAsync("web");
        Assert.Equal("3", Text(group, "DesiredCapacity"));
        var instances = Instances(group);
        Assert.Equal(3, instances.Count);
        Assert.All(instances, i => Assert.Equal("Pending", Text(i, "LifecycleState")));
        Assert.Equal([1, 2], instances.GroupBy(i => Text(i, "AvailabilityZone")).Select(g => g.Count()).Order());

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.All(Instances(await _h.DescribeGroupAsync("web")), i => Assert.Equal("InService", Text(i, "LifecycleState")));

        var ids = instances.Select(i => Text(i, "InstanceId")).ToList();
        var (ec2Status, reservations) = await _h.CallAsync("ec2", "DescribeInstances", ("Filter.1.Name", "tag:aws:autoscaling:groupName"), ("Filter.1.Value.1", "web"));
        Assert.Equal(200, ec2Status);
        var described = reservations.Descendants(Ec2 + "instancesSet").SelectMany(s => s.Elements(Ec2 + "item")).ToList();
        Assert.Equal(ids.Order(), described.Select(i => i.Element(Ec2 + "instanceId")!.Value).Order());
        foreach (var item in described)
        {
            Assert.Equal("running", item.Element(Ec2 + "instanceState")!.Element(Ec2 + "name")!.Value);
            Assert.Matches(@"^ip-10-0-\d+-\d+\.ec2\.internal$", item.Element(Ec2 + "privateDnsName")!.Value);
            Assert.Equal("t3.medium", item.Element(Ec2 + "instanceType")!.Value);
            var tags = item.Element(Ec2 + "tagSet")!.Elements(Ec2 + "item").ToDictionary(t => t.Element(Ec2 + "key")!.Value, t => t.Element(Ec2 + "value")!.Value);
            Assert.Equal("web", tags["aws:autoscaling:groupName"]);
            Assert.Equal("blue", tags["team"]);
            Assert.False(tags.ContainsKey("k8s.io/cluster-autoscaler/enabled"));
        }
    }

    [Fact]
    public async Task SetDesiredCapacity_OutsideBounds_OrUnknownGroup_IsValidationError_InAwsWords()
    {
        _h.AddGroup("web", 1, 1, 10, ["t3.medium"]);

        AssertError(await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "web"), ("DesiredCapacity", "11")),
            "ValidationError", "New SetDesiredCapacity value 11 is above max value 10 for the AutoScalingGroup.");
        AssertError(await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "web"), ("DesiredCapacity", "0")),
            "ValidationError", "New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.");
        AssertError(await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "nope"), ("DesiredCapacity", "1")),
            "ValidationError", "AutoScalingGroup name not found - AutoScalingGroup nope not found");
        AssertError(await _h.AutoScalingAsync("PutScalingPolicy"), "InvalidAction", "The action PutScalingPolicy is not valid for this web service.");
        Assert.Equal("1", Text(await _h.DescribeGroupAsync("web"), "DesiredCapacity"));
    }

    [Fact]
    public async Task Reconcile_CapacityErrorOnTheFirstType_LaunchesTheNextType_AndNoneLeftRecordsAFailedActivity()
    {
        _h.AddGroup("spotty", 0, 0, 10, ["c5.xlarge", "c5a.xlarge"], "spot");
        foreach (var zone in new[] { "us-east-1a", "us-east-1b" })
        {
            _h.Ec2StandIn.NoCapacity("c5.xlarge", zone, "spot");
        }

        await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "spotty"), ("DesiredCapacity", "2"));
        _h.AutoScaling.Reconcile();
        var instances = Instances(await _h.DescribeGroupAsync("spotty"));
        Assert.Equal(["c5a.xlarge", "c5a.xlarge"], instances.Select(i => Text(i, "InstanceType")));
        Assert.All(_h.Ec2StandIn.Instances, i => Assert.Equal("spot", i.Lifecycle));

        foreach (var zone in new[] { "us-east-1a", "us-east-1b" })
        {
            _h.Ec2StandIn.NoCapacity("c5a.xlarge", zone, "spot");
        }

        await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "spotty"), ("DesiredCapacity", "3"));
        _h.AutoScaling.Reconcile();
        Assert.Equal(2, Instances(await _h.DescribeGroupAsync("spotty")).Count);
        var failed = (await ActivitiesAsync("spotty")).First();
        Assert.Equal("Failed", Text(failed, "StatusCode"));
        Assert.Contains("We currently do not have sufficient c5a.xlarge capacity", Text(failed, "StatusMessage"), StringComparison.Ordinal);
        Assert.StartsWith("Launching a new EC2 instance.  Status Reason: ", Text(failed, "Description"), StringComparison.Ordinal);

        // It waits before trying again, then launches once capacity is back.
        _h.Ec2StandIn.RestoreCapacity();
        _h.AutoScaling.Reconcile();
        Assert.Equal(2, Instances(await _h.DescribeGroupAsync("spotty")).Count);
        _h.Time.Advance(_h.AutoScaling.LaunchRetryDelay);
        _h.AutoScaling.Reconcile();
        Assert.Equal("c5.xlarge", Text(Instances(await _h.DescribeGroupAsync("spotty"))[2], "InstanceType"));
    }

    [Fact]
    public async Task Terminate_WithDecrement_LowersDesired_WithoutDecrement_IsReplaced_AndGoneInstancesLeaveTheGroup()
    {
        _h.AddGroup("web", 1, 3, 5, ["t3.medium"]);
        _h.AutoScaling.Reconcile();
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        var ids = Instances(await _h.DescribeGroupAsync("web")).Select(i => Text(i, "InstanceId")).ToList();

        var (status, body) = await _h.AutoScalingAsync("TerminateInstanceInAutoScalingGroup", ("InstanceId", ids[0]), ("ShouldDecrementDesiredCapacity", "true"));
        Assert.Equal(200, status);
        var activity = body.Element(As + "TerminateInstanceInAutoScalingGroupResult")!.Element(As + "Activity")!;
        Assert.Equal(($"Terminating EC2 instance: {ids[0]}", "InProgress", "web"), (Text(activity, "Description"), Text(activity, "StatusCode"), Text(activity, "AutoScalingGroupName")));
        Assert.Contains("shrinking the capacity from 3 to 2", Text(activity, "Cause"), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f-]{36}$", Text(activity, "ActivityId"));
        var group = await _h.DescribeGroupAsync("web");
        Assert.Equal("2", Text(group, "DesiredCapacity"));
        Assert.Equal("Terminating", Text(Instances(group).Single(i => Text(i, "InstanceId") == ids[0]), "LifecycleState"));
        Assert.Equal("shutting-down", _h.Ec2StandIn.InstanceById(ids[0])!.StateAt(_h.Time.GetUtcNow()));

        (status, _) = await _h.AutoScalingAsync("TerminateInstanceInAutoScalingGroup", ("InstanceId", ids[1]), ("ShouldDecrementDesiredCapacity", "false"));
        Assert.Equal(200, status);
        _h.AutoScaling.Reconcile();
        group = await _h.DescribeGroupAsync("web");
        Assert.Equal("2", Text(group, "DesiredCapacity"));
        var active = Instances(group).Where(i => Text(i, "LifecycleState") is "Pending" or "InService").Select(i => Text(i, "InstanceId")).ToList();
        Assert.Equal(2, active.Count);
        Assert.Contains(ids[2], active);
        Assert.DoesNotContain(ids[1], active);

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        _h.AutoScaling.Reconcile();
        group = await _h.DescribeGroupAsync("web");
        Assert.Equal(2, Instances(group).Count);
        Assert.DoesNotContain(Instances(group), i => Text(i, "InstanceId") == ids[0] || Text(i, "InstanceId") == ids[1]);

        AssertError(await _h.AutoScalingAsync("TerminateInstanceInAutoScalingGroup", ("InstanceId", ids[0]), ("ShouldDecrementDesiredCapacity", "true")),
            "ValidationError", $"No managed instance found for instance ID: {ids[0]}");
        AssertError(await _h.AutoScalingAsync("TerminateInstanceInAutoScalingGroup", ("InstanceId", "i-00000000000000000"), ("ShouldDecrementDesiredCapacity", "false")),
            "ValidationError", "No managed instance found for instance ID: i-00000000000000000");
    }

    [Fact]
    public async Task Terminate_WithDecrement_AtMinSize_IsRefused()
    {
        _h.AddGroup("web", 1, 1, 2, ["t3.medium"]);
        _h.AutoScaling.Reconcile();
        var id = Text(Assert.Single(Instances(await _h.DescribeGroupAsync("web"))), "InstanceId");

        AssertError(await _h.AutoScalingAsync("TerminateInstanceInAutoScalingGroup", ("InstanceId", id), ("ShouldDecrementDesiredCapacity", "true")), "ValidationError",
            "Currently, desiredSize equals minSize (1). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.");
        Assert.Equal("pending", _h.Ec2StandIn.InstanceById(id)!.StateAt(_h.Time.GetUtcNow()));
    }

    [Fact]
    public async Task LoweringDesired_TerminatesFromTheFullestZone_AndAnInstanceEndedOutsideIsReplaced()
    {
        _h.AddGroup("web", 0, 3, 5, ["t3.medium"]);
        _h.AutoScaling.Reconcile();
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "web"), ("DesiredCapacity", "2"));
        _h.AutoScaling.Reconcile();
        var instances = Instances(await _h.DescribeGroupAsync("web"));
        var leaving = Assert.Single(instances, i => Text(i, "LifecycleState") == "Terminating");
        Assert.Equal("us-east-1a", Text(leaving, "AvailabilityZone"));

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        var kept = Instances(await _h.DescribeGroupAsync("web"));
        Assert.Equal(2, kept.Count);
        Assert.Equal(["us-east-1a", "us-east-1b"], kept.Select(i => Text(i, "AvailabilityZone")).Order());

        // A spot reclaim (or TerminateInstances) ends an instance outside Auto Scaling: the group replaces it.
        _h.Ec2StandIn.Reclaim(Text(kept[0], "InstanceId"));
        _h.AutoScaling.Reconcile();
        var now = Instances(await _h.DescribeGroupAsync("web"));
        Assert.Equal(3, now.Count);
        Assert.Equal("Terminating", Text(now.Single(i => Text(i, "InstanceId") == Text(kept[0], "InstanceId")), "LifecycleState"));
        Assert.Equal("2", Text(await _h.DescribeGroupAsync("web"), "DesiredCapacity"));
    }

    [Fact]
    public async Task DescribeScalingActivities_RecordsEveryChange_NewestFirst_FinishedWhenDone_AndPages()
    {
        _h.AddGroup("web", 0, 2, 5, ["t3.medium"]);
        _h.AddGroup("other", 0, 1, 5, ["t3.medium"]);
        _h.AutoScaling.Reconcile();
        var launches = await ActivitiesAsync("web");
        Assert.Equal(2, launches.Count);
        Assert.All(launches, a =>
        {
            Assert.StartsWith("Launching a new EC2 instance: i-", Text(a, "Description"), StringComparison.Ordinal);
            Assert.Equal(("InProgress", "0"), (Text(a, "StatusCode"), Text(a, "Progress")));
            Assert.Contains("a user request created an AutoScalingGroup changing the desired capacity from 0 to 2", Text(a, "Cause"), StringComparison.Ordinal);
            Assert.Contains("\"Availability Zone\"", Text(a, "Details"), StringComparison.Ordinal);
            Assert.Null(a.Element(As + "EndTime"));
        });

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await _h.AutoScalingAsync("SetDesiredCapacity", ("AutoScalingGroupName", "web"), ("DesiredCapacity", "1"));
        _h.AutoScaling.Reconcile();
        var all = await ActivitiesAsync("web");
        Assert.Equal(3, all.Count);
        Assert.StartsWith("Terminating EC2 instance: i-", Text(all[0], "Description"), StringComparison.Ordinal);
        Assert.Contains("changing the desired capacity from 2 to 1", Text(all[0], "Cause"), StringComparison.Ordinal);
        Assert.All(all.Skip(1), a => Assert.Equal(("Successful", "100"), (Text(a, "StatusCode"), Text(a, "Progress"))));
        Assert.Equal("2026-12-02T10:00:05.000Z", Text(all[1], "EndTime"));

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("Successful", Text((await ActivitiesAsync("web"))[0], "StatusCode"));
        Assert.Equal(4, (await ActivitiesAsync(null)).Count);

        var (_, page) = await _h.AutoScalingAsync("DescribeScalingActivities", ("AutoScalingGroupName", "web"), ("MaxRecords", "2"));
        var result = page.Element(As + "DescribeScalingActivitiesResult")!;
        Assert.Equal(2, result.Element(As + "Activities")!.Elements(As + "member").Count());
        var (_, rest) = await _h.AutoScalingAsync("DescribeScalingActivities", ("AutoScalingGroupName", "web"), ("NextToken", result.Element(As + "NextToken")!.Value));
        Assert.Single(rest.Element(As + "DescribeScalingActivitiesResult")!.Element(As + "Activities")!.Elements(As + "member"));
        var id = Text(all[0], "ActivityId");
        var (_, one) = await _h.AutoScalingAsync("DescribeScalingActivities", ("ActivityIds.member.1", id));
        Assert.Equal(id, Text(Assert.Single(one.Descendants(As + "Activities").Single().Elements(As + "member")), "ActivityId"));
    }

    [Fact]
    public async Task Ec2DescribeLaunchTemplateVersions_GivesTheTemplatesData()
    {
        var template = _h.Ec2StandIn.AddLaunchTemplate("lt-web", new Dictionary<string, string>
        {
            ["ImageId"] = "ami-0test",
            ["InstanceType"] = "t3.medium",
            ["IamInstanceProfile.Name"] = "node-profile",
            ["SecurityGroupId.1"] = "sg-0a",
            ["TagSpecification.1.ResourceType"] = "instance",
            ["TagSpecification.1.Tag.1.Key"] = "Name",
            ["TagSpecification.1.Tag.1.Value"] = "web-node",
        });

        var (status, body) = await _h.CallAsync("ec2", "DescribeLaunchTemplateVersions", ("LaunchTemplateId", template.Id), ("LaunchTemplateVersion.1", "$Latest"));
        Assert.Equal(200, status);
        var version = Assert.Single(body.Element(Ec2 + "launchTemplateVersionSet")!.Elements(Ec2 + "item"));
        Assert.Equal((template.Id, "lt-web", "1", "true"),
            (version.Element(Ec2 + "launchTemplateId")!.Value, version.Element(Ec2 + "launchTemplateName")!.Value, version.Element(Ec2 + "versionNumber")!.Value, version.Element(Ec2 + "defaultVersion")!.Value));
        var data = version.Element(Ec2 + "launchTemplateData")!;
        Assert.Equal(("t3.medium", "ami-0test", "node-profile"),
            (data.Element(Ec2 + "instanceType")!.Value, data.Element(Ec2 + "imageId")!.Value, data.Element(Ec2 + "iamInstanceProfile")!.Element(Ec2 + "name")!.Value));
        Assert.Equal("sg-0a", data.Element(Ec2 + "securityGroupIdSet")!.Element(Ec2 + "item")!.Value);
        Assert.Equal("web-node", data.Descendants(Ec2 + "tagSet").Single().Element(Ec2 + "item")!.Element(Ec2 + "value")!.Value);

        var (byName, _) = await _h.CallAsync("ec2", "DescribeLaunchTemplateVersions", ("LaunchTemplateName", "lt-web"), ("LaunchTemplateVersion.1", "1"));
        Assert.Equal(200, byName);
        var (missing, error) = await _h.CallAsync("ec2", "DescribeLaunchTemplateVersions", ("LaunchTemplateId", template.Id), ("LaunchTemplateVersion.1", "7"));
        Assert.Equal(400, missing);
        Assert.Equal("InvalidLaunchTemplateId.VersionNotFound", error.Descendants("Code").Single().Value);
    }

    private async Task<List<XElement>> ActivitiesAsync(string? group)
    {
        var (status, body) = group is null
            ? await _h.AutoScalingAsync("DescribeScalingActivities")
            : await _h.AutoScalingAsync("DescribeScalingActivities", ("AutoScalingGroupName", group));
        Assert.Equal(200, status);
        return [.. body.Element(As + "DescribeScalingActivitiesResult")!.Element(As + "Activities")!.Elements(As + "member")];
    }
}
