using Capstan.Aws.Instances;
using Capstan.Core.Cloud;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.Launch;

public sealed class InstanceRepositoryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private static Dictionary<string, string> Owned(string claim, string cluster = LaunchWorld.Cluster) => new()
    {
        [InstanceTags.Cluster(cluster)] = "owned",
        [InstanceTags.ProvisionerName] = "default",
        [InstanceTags.NodeClaim] = claim,
    };

    [Fact]
    public async Task TerminateAsync_RunningInstance_ShutsItDownThenGetSeesItGone()
    {
        await using var world = await LaunchWorld.StartAsync();
        var seeded = world.Ec2.AddInstance("m5.large", "us-east-1b", "subnet-b1", "spot", Owned("claim-1"));
        world.Clock.Advance(TimeSpan.FromSeconds(10));
        var providerId = ProviderIds.For("us-east-1b", seeded.InstanceId);

        var running = await world.Instances.GetAsync(providerId, CancellationToken.None).WaitAsync(s_timeout);
        var terminated = await world.Instances.TerminateAsync(providerId, CancellationToken.None).WaitAsync(s_timeout);
        var shuttingDown = await world.Instances.GetAsync(providerId, CancellationToken.None).WaitAsync(s_timeout);
        world.Clock.Advance(TimeSpan.FromSeconds(10));
        var gone = await world.Instances.GetAsync(providerId, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(("running", "spot", "claim-1", "default"), (running!.State, running.CapacityType, running.ClaimName, running.ProvisionerName));
        Assert.Equal(providerId, running.ProviderId);
        Assert.True(terminated);
        Assert.Equal([seeded.InstanceId], world.OnlyCall("TerminateInstances").List("InstanceId"));
        Assert.Equal("shutting-down", shuttingDown!.State);
        Assert.True(shuttingDown.IsTerminating);
        Assert.Null(gone);
        Assert.Contains(world.InstanceLogs.Lines, l => l.Id.Id == 5210 && l.Message == $"Terminating instance {seeded.InstanceId}: running -> shutting-down");
    }

    [Fact]
    public async Task TerminateAsync_AlreadyTerminated_CountsAsDone()
    {
        await using var world = await LaunchWorld.StartAsync();
        var seeded = world.Ec2.AddInstance("m5.large", "us-east-1a", "subnet-a2", "on-demand", Owned("claim-2"));
        var providerId = ProviderIds.For("us-east-1a", seeded.InstanceId);
        await world.Instances.TerminateAsync(providerId, CancellationToken.None).WaitAsync(s_timeout);
        world.Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await world.Instances.TerminateAsync(providerId, CancellationToken.None).WaitAsync(s_timeout);

        Assert.True(again);
        Assert.Equal("terminated", world.Ec2.Instances.Single().StateAt(world.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task TerminateAsync_InstanceGone_IsFalseWithoutAnError()
    {
        await using var world = await LaunchWorld.StartAsync();
        var seeded = world.Ec2.AddInstance("m5.large", "us-east-1a", "subnet-a2", "on-demand", Owned("claim-3"));
        world.Ec2.ForgetInstance(seeded.InstanceId);

        var result = await world.Instances.TerminateAsync(ProviderIds.For("us-east-1a", seeded.InstanceId), CancellationToken.None).WaitAsync(s_timeout);
        var get = await world.Instances.GetAsync(ProviderIds.For("us-east-1a", seeded.InstanceId), CancellationToken.None).WaitAsync(s_timeout);

        Assert.False(result);
        Assert.Null(get);
        Assert.Single(world.StandIn.CallsOf("ec2", "TerminateInstances"));
        Assert.Contains(world.InstanceLogs.Lines, l => l.Id.Id == 5211);
    }

    [Fact]
    public async Task TerminateAsync_Throttled_RetriesAndTerminates()
    {
        await using var world = await LaunchWorld.StartAsync();
        var seeded = world.Ec2.AddInstance("m5.large", "us-east-1a", "subnet-a2", "on-demand", Owned("claim-4"));
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "TerminateInstances", Fault = AwsFault.Throttle, Times = 2 });

        var result = await world.Instances.TerminateAsync(ProviderIds.For("us-east-1a", seeded.InstanceId), CancellationToken.None).WaitAsync(s_timeout);

        Assert.True(result);
        Assert.Equal(3, world.StandIn.CallsOf("ec2", "TerminateInstances").Count);
        Assert.NotNull(world.Ec2.Instances.Single().TerminationRequestedAt);
    }

    [Fact]
    public async Task TerminateAsync_NotAnAwsProviderId_FailsInWordsWithoutACall()
    {
        await using var world = await LaunchWorld.StartAsync();

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => world.Instances.TerminateAsync("kind://docker/node-1", CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("'kind://docker/node-1' is not an AWS providerID (aws:///<zone>/<instance-id>)", error.Message);
        Assert.Empty(world.StandIn.Calls);
    }

    [Fact]
    public async Task ListAsync_ManyPages_ReturnsEveryLiveInstanceOfThisClusterAndProvisioner()
    {
        await using var world = await LaunchWorld.StartAsync();
        var ours = Enumerable.Range(1, 12).Select(i => world.Ec2.AddInstance("m5.large", "us-east-1a", "subnet-a2", i % 2 == 0 ? "spot" : "on-demand", Owned($"claim-{i}"))).ToList();
        world.Ec2.AddInstance("m5.large", "us-east-1a", "subnet-a2", "spot", Owned("other-cluster", "another-cluster"));
        world.Ec2.AddInstance("m5.large", "us-east-1a", "subnet-a2", "spot", new Dictionary<string, string> { [InstanceTags.Cluster(LaunchWorld.Cluster)] = "owned" });
        var terminated = world.Ec2.AddInstance("m5.large", "us-east-1a", "subnet-a2", "spot", Owned("done"));
        await world.Instances.TerminateAsync(ProviderIds.For("us-east-1a", terminated.InstanceId), CancellationToken.None).WaitAsync(s_timeout);
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        var repository = new InstanceRepository(world.Client(), world.Pipelines, world.Options, TimeProvider.System, world.InstanceLogs) { PageSize = 5 };

        var listed = await repository.ListAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(ours.Select(i => i.InstanceId).Order(StringComparer.Ordinal), listed.Select(i => i.InstanceId).Order(StringComparer.Ordinal));
        Assert.Equal(6, listed.Count(i => i.CapacityType == "spot"));
        Assert.All(listed, i => Assert.StartsWith("claim-", i.ClaimName, StringComparison.Ordinal));
        var calls = world.StandIn.CallsOf("ec2", "DescribeInstances");
        Assert.Equal(3, calls.Count);
        Assert.Equal([null, "5", "10"], calls.Select(c => c.Get("NextToken")));
        Assert.All(calls, c => Assert.Equal("5", c.Get("MaxResults")));
        Assert.Equal(
            [
                ("tag-key", "kubernetes.io/cluster/demo-cluster"),
                ("tag-key", "karpenter.sh/provisioner-name"),
                ("instance-state-name", "pending,running,stopping,stopped,shutting-down"),
            ],
            calls[0].Filters().Select(f => (f.Name, string.Join(',', f.Values))));
    }
}
