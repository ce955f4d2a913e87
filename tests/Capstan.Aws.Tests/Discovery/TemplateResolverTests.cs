using Capstan.Aws.Discovery;
using Capstan.Core.Cloud;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.Discovery;

public sealed class TemplateResolverTests
{
    private static readonly TimeSpan s_timeout = ReadWorld.Timeout;

    [Fact]
    public async Task ResolveAsync_TagSelector_SendsTagFilterAndFindsTheTaggedSubnetsMostFreeFirst()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        world.Ec2.AddSubnet("subnet-0ffffffffffffff01", "us-east-1a", new Dictionary<string, string> { ["karpenter.sh/discovery"] = "other-cluster" });

        var resolved = await world.Resolver().ResolveAsync(ReadWorld.Template(), CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["subnet-0e9f8d7c6b5a41320", "subnet-07d2c9a8e6b4f3a12", "subnet-0b1e4f6a2c3d59e01"], resolved.Subnets.Select(s => s.SubnetId));
        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], resolved.Zones);
        Assert.Equal(new SubnetInfo("subnet-0e9f8d7c6b5a41320", "us-east-1c", "use1-az6", 8174), resolved.Subnets[0]);
        Assert.Equal(["sg-0c4d2e7f9a1b3c5d6"], resolved.SecurityGroupIds);
        var call = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSubnets"));
        Assert.Equal("tag:karpenter.sh/discovery", call.Get("Filter.1.Name"));
        Assert.Equal("demo-cluster", call.Get("Filter.1.Value.1"));
        Assert.Null(call.Get("Filter.1.Value.2"));
        Assert.Null(call.Get("Filter.2.Name"));
        var groups = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSecurityGroups"));
        Assert.Equal("tag:karpenter.sh/discovery", groups.Get("Filter.1.Name"));
        Assert.Equal("demo-cluster", groups.Get("Filter.1.Value.1"));
    }

    [Fact]
    public async Task SubnetsAsync_CommaSeparatedValues_SendsOneFilterWithEveryValue()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        var template = ReadWorld.Template(new Dictionary<string, string> { ["Name"] = "demo-cluster-private-us-east-1a, demo-cluster-private-us-east-1c" });

        var subnets = await world.Resolver().SubnetsAsync(template, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["us-east-1c", "us-east-1a"], subnets.Select(s => s.Zone));
        var call = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSubnets"));
        Assert.Equal("tag:Name", call.Get("Filter.1.Name"));
        Assert.Equal("demo-cluster-private-us-east-1a", call.Get("Filter.1.Value.1"));
        Assert.Equal("demo-cluster-private-us-east-1c", call.Get("Filter.1.Value.2"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("")]
    public async Task SubnetsAsync_WildcardOrEmptyValue_SendsTagKeyFilter(string value)
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        world.Ec2.AddSubnet("subnet-0aaaaaaaaaaaaaa01", "us-east-1d", new Dictionary<string, string> { ["team"] = "x" });
        var template = ReadWorld.Template(new Dictionary<string, string> { ["kubernetes.io/role/internal-elb"] = value });

        var subnets = await world.Resolver().SubnetsAsync(template, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(3, subnets.Count);
        var call = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSubnets"));
        Assert.Equal("tag-key", call.Get("Filter.1.Name"));
        Assert.Equal("kubernetes.io/role/internal-elb", call.Get("Filter.1.Value.1"));
    }

    [Theory]
    [InlineData("aws-ids")]
    [InlineData("aws::ids")]
    public async Task ResolveAsync_IdsSelector_SendsIdFilters(string key)
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        world.Ec2.AddSecurityGroup("sg-0bbbbbbbbbbbbbb02", "extra");
        var template = ReadWorld.Template(
            new Dictionary<string, string> { [key] = "subnet-0b1e4f6a2c3d59e01,subnet-07d2c9a8e6b4f3a12" },
            new Dictionary<string, string> { [key] = "sg-0bbbbbbbbbbbbbb02" });

        var resolved = await world.Resolver().ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["us-east-1a", "us-east-1b"], resolved.Zones);
        Assert.Equal(["sg-0bbbbbbbbbbbbbb02"], resolved.SecurityGroupIds);
        var subnets = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSubnets"));
        Assert.Equal("subnet-id", subnets.Get("Filter.1.Name"));
        Assert.Equal("subnet-0b1e4f6a2c3d59e01", subnets.Get("Filter.1.Value.1"));
        Assert.Equal("subnet-07d2c9a8e6b4f3a12", subnets.Get("Filter.1.Value.2"));
        var groups = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSecurityGroups"));
        Assert.Equal("group-id", groups.Get("Filter.1.Name"));
        Assert.Equal("sg-0bbbbbbbbbbbbbb02", groups.Get("Filter.1.Value.1"));
    }

    [Fact]
    public async Task ResolveAsync_DiscoverByClusterTag_SendsClusterTagKeyFilter()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        world.Ec2.AddSubnet("subnet-0ccccccccccccc001", "us-east-1d", new Dictionary<string, string> { ["kubernetes.io/cluster/demo-cluster"] = "shared" });
        var template = new NodeTemplate { DiscoverByClusterTag = true };

        var resolved = await world.Resolver().ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["subnet-0ccccccccccccc001"], resolved.Subnets.Select(s => s.SubnetId));
        Assert.Equal(["sg-0c4d2e7f9a1b3c5d6"], resolved.SecurityGroupIds);
        foreach (var action in new[] { "DescribeSubnets", "DescribeSecurityGroups" })
        {
            var call = Assert.Single(world.StandIn.CallsOf("ec2", action));
            Assert.Equal("tag-key", call.Get("Filter.1.Name"));
            Assert.Equal("kubernetes.io/cluster/demo-cluster", call.Get("Filter.1.Value.1"));
        }
    }

    [Fact]
    public async Task SubnetsAsync_MoreThanOnePage_FollowsNextToken()
    {
        await using var world = await ReadWorld.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            world.Ec2.AddSubnet($"subnet-{i:x17}", $"us-east-1{(char)('a' + (i % 3))}", ReadWorld.Discovery, 100 + i);
        }

        var subnets = await world.Resolver(pageSize: 5).SubnetsAsync(ReadWorld.Template(), CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(12, subnets.Count);
        Assert.Equal(111, subnets[0].AvailableIpAddresses);
        var calls = world.StandIn.CallsOf("ec2", "DescribeSubnets");
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal("5", c.Get("MaxResults")));
        Assert.Null(calls[0].Get("NextToken"));
        Assert.NotNull(calls[1].Get("NextToken"));
        Assert.NotEqual(calls[1].Get("NextToken"), calls[2].Get("NextToken"));
    }

    [Fact]
    public async Task ResolveAsync_NoSubnetMatches_ThrowsNamingTheSelector()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        var template = ReadWorld.Template(new Dictionary<string, string> { ["team"] = "payments" });

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Resolver().ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Contains("no subnet matches the subnet selector (team=payments)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Message, StringComparison.Ordinal);
        Assert.False(error.Retryable);
    }

    [Fact]
    public async Task ResolveAsync_NoSecurityGroupMatches_ThrowsNamingTheSelector()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        var template = ReadWorld.Template(groups: new Dictionary<string, string> { ["aws-ids"] = "sg-0123456789abcdef0" });

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Resolver().ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Contains("no security group matches the security group selector (aws-ids=sg-0123456789abcdef0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NoSelectorAndNoClusterTagDiscovery_ThrowsInWords()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Resolver().ResolveAsync(new NodeTemplate(), CancellationToken.None).WaitAsync(s_timeout));

        Assert.Contains("has no subnetSelector", error.Message, StringComparison.Ordinal);
        Assert.Empty(world.StandIn.Calls);
    }

    [Fact]
    public async Task ResolveAsync_Al2_ResolvesEveryArchitectureFromSsmInOneCall()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();

        var resolved = await world.Resolver().ResolveAsync(ReadWorld.Template(), CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal("AL2", resolved.AmiFamily);
        Assert.Equal("ami-0a1b2c3d4e5f60001", resolved.Amis["amd64"]);
        Assert.Equal("ami-0a1b2c3d4e5f60002", resolved.Amis["arm64"]);
        Assert.Equal("ami-0a1b2c3d4e5f60003", resolved.Amis["amd64-nvidia"]);
        var call = Assert.Single(world.StandIn.CallsOf("ssm", "GetParameters"));
        Assert.Equal(
            [
                "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id",
                "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-gpu/recommended/image_id",
                "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id",
            ],
            call.Json!["Names"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Empty(world.StandIn.CallsOf("ec2", "DescribeImages"));
    }

    [Fact]
    public async Task ResolveAsync_BottlerocketWithoutArmNvidia_ResolvesTheRest()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        world.Ssm.Put("/aws/service/bottlerocket/aws-k8s-1.29/x86_64/latest/image_id", "ami-0b000000000000001");
        world.Ssm.Put("/aws/service/bottlerocket/aws-k8s-1.29/arm64/latest/image_id", "ami-0b000000000000002");
        world.Ssm.Put("/aws/service/bottlerocket/aws-k8s-1.29-nvidia/x86_64/latest/image_id", "ami-0b000000000000003");

        var resolved = await world.Resolver().ResolveAsync(ReadWorld.Template() with { AmiFamily = "bottlerocket" }, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal("Bottlerocket", resolved.AmiFamily);
        Assert.Equal(
            new Dictionary<string, string> { ["amd64"] = "ami-0b000000000000001", ["arm64"] = "ami-0b000000000000002", ["amd64-nvidia"] = "ami-0b000000000000003" },
            resolved.Amis.ToDictionary());
        var names = world.StandIn.CallsOf("ssm", "GetParameters").Single().Json!["Names"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Contains("/aws/service/bottlerocket/aws-k8s-1.29-nvidia/arm64/latest/image_id", names);
    }

    [Fact]
    public async Task ResolveAsync_Ubuntu_ResolvesFromCanonicalsParameters()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        world.Ssm.Put("/aws/service/canonical/ubuntu/eks/20.04/1.29/stable/current/amd64/hvm/ebs-gp2/ami-id", "ami-0c000000000000001");
        world.Ssm.Put("/aws/service/canonical/ubuntu/eks/20.04/1.29/stable/current/arm64/hvm/ebs-gp2/ami-id", "ami-0c000000000000002");

        var resolved = await world.Resolver().ResolveAsync(ReadWorld.Template() with { AmiFamily = "Ubuntu" }, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(new Dictionary<string, string> { ["amd64"] = "ami-0c000000000000001", ["arm64"] = "ami-0c000000000000002" }, resolved.Amis.ToDictionary());
    }

    [Fact]
    public async Task ResolveAsync_NoParameterForTheVersion_ThrowsNamingTheVersion()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        world.Options.KubernetesVersion = "1.99";

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Resolver().ResolveAsync(ReadWorld.Template(), CancellationToken.None).WaitAsync(s_timeout));

        Assert.Contains("no EKS-optimised AL2 AMI is published for Kubernetes 1.99", error.Message, StringComparison.Ordinal);
        Assert.Contains("/aws/service/eks/optimized-ami/1.99/amazon-linux-2/recommended/image_id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_AmiSelectorByTag_TakesTheNewestImagePerArchitecture()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        var tags = new Dictionary<string, string> { ["team"] = "platform" };
        var now = world.Time.GetUtcNow();
        world.Ec2.AddImage("ami-0d000000000000001", "platform-amd64-old", "x86_64", now.AddDays(-10), tags);
        world.Ec2.AddImage("ami-0d000000000000002", "platform-amd64-new", "x86_64", now.AddDays(-1), tags);
        world.Ec2.AddImage("ami-0d000000000000003", "platform-arm64", "arm64", now.AddDays(-5), tags);
        world.Ec2.AddImage("ami-0d000000000000004", "someone-elses", "x86_64", now, tags, ownerId: "999999999999");
        world.Ec2.AddImage("ami-0d000000000000005", "untagged", "x86_64", now);
        var template = ReadWorld.Template() with { AmiFamily = "Custom", AmiSelector = tags };

        var resolved = await world.Resolver().ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(new Dictionary<string, string> { ["amd64"] = "ami-0d000000000000002", ["arm64"] = "ami-0d000000000000003" }, resolved.Amis.ToDictionary());
        var call = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeImages"));
        Assert.Equal("tag:team", call.Get("Filter.1.Name"));
        Assert.Equal("platform", call.Get("Filter.1.Value.1"));
        Assert.Equal(["self", "amazon"], call.List("Owner"));
        Assert.Empty(world.StandIn.CallsOf("ssm", "GetParameters"));
    }

    [Fact]
    public async Task ResolveAsync_AmiSelectorByIds_SendsImageIdFilterWithoutOwners()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        world.Ec2.AddImage("ami-0e000000000000001", "a", "arm64", world.Time.GetUtcNow(), ownerId: "999999999999");
        world.Ec2.AddImage("ami-0e000000000000002", "b", "x86_64", world.Time.GetUtcNow());
        var template = ReadWorld.Template() with { AmiSelector = new Dictionary<string, string> { ["aws::ids"] = "ami-0e000000000000001" } };

        var resolved = await world.Resolver().ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(new Dictionary<string, string> { ["arm64"] = "ami-0e000000000000001" }, resolved.Amis.ToDictionary());
        var call = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeImages"));
        Assert.Equal("image-id", call.Get("Filter.1.Name"));
        Assert.Equal("ami-0e000000000000001", call.Get("Filter.1.Value.1"));
        Assert.Empty(call.List("Owner"));
    }

    [Fact]
    public async Task ResolveAsync_CustomWithoutAmiSelector_ThrowsInWords()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Resolver().ResolveAsync(ReadWorld.Template() with { AmiFamily = "Custom" }, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Contains("Custom AMI family needs an amiSelector", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_InstanceProfile_TemplatesElseTheDefault()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        var resolver = world.Resolver();

        var own = await resolver.ResolveAsync(ReadWorld.Template() with { InstanceProfile = "TeamProfile" }, CancellationToken.None).WaitAsync(s_timeout);
        var fallback = await resolver.ResolveAsync(ReadWorld.Template(), CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal("TeamProfile", own.InstanceProfile);
        Assert.Equal("KarpenterNodeInstanceProfile", fallback.InstanceProfile);
    }

    [Fact]
    public async Task ResolveAsync_Cached_SubnetsForAMinuteAndSsmForADay()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        var resolver = world.Resolver();
        var template = ReadWorld.Template();

        await resolver.ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);
        world.Time.Advance(TimeSpan.FromSeconds(59));
        await resolver.ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);
        Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSubnets"));
        Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSecurityGroups"));

        world.Ec2.AddSubnet("subnet-0ddddddddddddd001", "us-east-1d", ReadWorld.Discovery, 9000);
        world.Time.Advance(TimeSpan.FromSeconds(2));
        var later = await resolver.ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "DescribeSubnets").Count);
        Assert.Equal("subnet-0ddddddddddddd001", later.Subnets[0].SubnetId);
        Assert.Single(world.StandIn.CallsOf("ssm", "GetParameters"));

        world.Ssm.Put("/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id", "ami-0f000000000000009");
        world.Time.Advance(TimeSpan.FromHours(24));
        var nextDay = await resolver.ResolveAsync(template, CancellationToken.None).WaitAsync(s_timeout);
        Assert.Equal(2, world.StandIn.CallsOf("ssm", "GetParameters").Count);
        Assert.Equal("ami-0f000000000000009", nextDay.Amis["amd64"]);
    }

    [Fact]
    public async Task ResolveAsync_ThrottledAFewTimes_SucceedsThroughTheRetries()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "DescribeSubnets", Fault = AwsFault.Throttle, Times = 3 });
        world.StandIn.Fail(new AwsFaultRule { Service = "ssm", Action = "GetParameters", Fault = AwsFault.Throttle, Times = 2 });

        var resolved = await world.Resolver().ResolveAsync(ReadWorld.Template(), CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(3, resolved.Subnets.Count);
        Assert.Equal(4, world.StandIn.CallsOf("ec2", "DescribeSubnets").Count);
        Assert.Equal(3, world.StandIn.CallsOf("ssm", "GetParameters").Count);
    }

    [Fact]
    public async Task ResolveAsync_MalformedXml_ThrowsCloudProviderExceptionInWords()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters();
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "DescribeSubnets", Fault = AwsFault.Malformed });

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Resolver().ResolveAsync(ReadWorld.Template(), CancellationToken.None).WaitAsync(s_timeout));

        Assert.StartsWith("EC2 DescribeSubnets failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
    }
}
