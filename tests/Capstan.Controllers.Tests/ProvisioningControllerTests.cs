using Capstan.Controllers.Provisioning;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Controllers.Tests;

public sealed class ProvisioningControllerTests
{
    [Fact]
    public async Task Pass_TenTutorialPods_LaunchesNodes_CreatesThemInFlight_AndBindsEveryPod()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        var pods = h.AddUnschedulable("inflate", 10);

        await h.PassAsync();

        var nodes = h.CapstanNodes();
        Assert.Equal(2, nodes.Count);
        Assert.Equal(2, h.Cloud.Running);
        Assert.All(h.Cloud.Requests, r => Assert.StartsWith("default-claim", r.ClaimName, StringComparison.Ordinal));
        foreach (var pod in pods)
        {
            Assert.Contains(h.Cluster.NodeOf("apps", pod.Name), nodes.Select(n => n.Name));
        }

        Assert.Equal(10, nodes.Sum(n => n.Pods.Count));
        Assert.All(nodes, n => Assert.True(n.InFlight));
        Assert.Contains(h.Cluster.Events, e => e.Kind == EventObjectKind.Node && e.Reason == "Launched");
        Assert.Equal(10, h.Cluster.Events.Count(e => e.Kind == EventObjectKind.Pod && e.Reason == "Scheduled"));
    }

    [Fact]
    public async Task Pass_CreatedNode_CarriesEveryField()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner(startupTaints: [new Taint("example.com/agent", "", TaintEffect.NoSchedule)]);
        h.AddUnschedulable("inflate", 1);

        await h.PassAsync();

        var node = Assert.Single(h.CapstanNodes());
        var instance = Assert.Single(h.Cloud.Instances);
        Assert.Equal(instance.PrivateDnsName, node.Name);
        Assert.Equal($"aws:///{instance.Zone}/{instance.InstanceId}", node.ProviderId);
        Assert.Equal("default", node.Labels[Labels.ProvisionerName]);
        Assert.Equal("apps", node.Labels["intent"]);
        Assert.Equal(instance.InstanceType, node.Labels[Labels.InstanceType]);
        Assert.Equal(instance.Zone, node.Labels[Labels.Zone]);
        Assert.Equal("us-east-1", node.Labels[Labels.Region]);
        Assert.Equal(Labels.CapacityTypeOnDemand, node.Labels[Labels.CapacityType]);
        Assert.Equal("amd64", node.Labels[Labels.Arch]);
        Assert.Equal("linux", node.Labels[Labels.Os]);
        Assert.False(node.Labels.ContainsKey(Labels.Initialized));
        Assert.Equal("team-apps", node.Annotations["example.com/owner"]);
        Assert.Contains(new Taint("example.com/agent", "", TaintEffect.NoSchedule), node.Taints);
        Assert.Equal([Finalizers.Termination], node.Finalizers);
        Assert.Equal(ResourceList.Of("cpu", "2", "memory", "4Gi", "pods", "58"), node.Capacity);
        Assert.False(node.Allocatable.IsEmpty);
    }

    [Fact]
    public async Task Pass_RunsAtMostLaunchConcurrencyLaunchesAtOnce()
    {
        using var h = new ControllerHarness(options: new ProvisioningOptions { LaunchConcurrency = 2 });
        h.AddProvisioner();
        h.AddUnschedulable("big", 3, cpu: "5"); // one per c6a.2xlarge: three claims
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Cloud.LaunchHold = release.Task;

        var pass = h.PassAsync();
        Assert.True(await h.Cloud.LaunchEntered.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.True(await h.Cloud.LaunchEntered.WaitAsync(TimeSpan.FromMinutes(1)));
        // The claims' launches all start before the pass first waits; unbounded, the third would be here too.
        Assert.Equal(2, h.Cloud.MaxConcurrentLaunches);
        release.SetResult();
        await pass;

        Assert.Equal(2, h.Cloud.MaxConcurrentLaunches);
        Assert.Equal(3, h.Cloud.Instances.Count);
        Assert.Equal(3, h.CapstanNodes().Count);
    }

    [Fact]
    public async Task Pass_ChoosesOnlyProvisionablePods()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        var template = new Testing.PodBuilder("x", "apps").Cpu("1").NodeSelector("intent", "apps").Build();
        h.Cluster.UpsertPod(h.Unschedulable(template with { Name = "daemon", Uid = "u1" }) with { OwnerKind = "DaemonSet" });
        h.Cluster.UpsertPod(h.Unschedulable(template with { Name = "nominated", Uid = "u2" }) with { NominatedNodeName = "n1" });
        h.Cluster.UpsertPod(h.Unschedulable(template with { Name = "deleting", Uid = "u3" }) with { DeletionTimestamp = h.Time.GetUtcNow() });
        h.Cluster.UpsertPod(new PodView { Request = template with { Name = "not-tried-yet", Uid = "u4" } });

        await h.PassAsync();

        Assert.Empty(h.Cloud.Requests);
        Assert.Empty(h.CapstanNodes());
    }

    [Fact]
    public async Task Pass_FastPathPod_IsProvisionedBeforeKubeSchedulerMarksIt()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        var pod = new Testing.PodBuilder("fast", "apps").Cpu("1").NodeSelector("intent", "apps").Build();
        h.Cluster.UpsertPod(new PodView { Request = pod, OwnerKind = "ReplicaSet" });

        h.Trigger.Trigger(pod);
        await h.PassAsync();

        Assert.NotNull(h.Cluster.NodeOf("apps", "fast"));
        Assert.Equal(1, h.Batcher.Count);
    }

    [Fact]
    public async Task SecondBatch_PodsThatFitAnInFlightNode_AreBoundThere_NoNewLaunch()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("first", 3);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());
        var free = node.Allocatable.Cpu.MilliValue - node.Requested().Cpu.MilliValue;
        Assert.True(free >= 1000, $"the first node should have room left, has {free}m");

        h.AddUnschedulable("second", 1);
        await h.PassAsync();

        Assert.Single(h.Cloud.Requests);
        Assert.Equal(node.Name, h.Cluster.NodeOf("apps", "second-0"));
    }

    [Fact]
    public async Task RegisteredNode_IsLeftToKubeScheduler_NotBoundByCapstan()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("first", 3);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());
        h.Register(node.Name);
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode(node.Name)!.InFlight);

        h.AddUnschedulable("second", 1);
        await h.PassAsync();

        Assert.Single(h.Cloud.Requests);
        Assert.Null(h.Cluster.NodeOf("apps", "second-0"));
    }

    [Fact]
    public async Task Limits_CountInFlightNodes_AcrossBatches()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner(limits: ResourceList.Of("cpu", "8"));
        h.AddUnschedulable("first", 6);
        await h.PassAsync();
        Assert.Equal(8, h.CapstanNodes().Sum(n => n.Capacity.Cpu.MilliValue) / 1000);

        h.AddUnschedulable("second", 6);
        await h.PassAsync();

        Assert.Equal(8, h.CapstanNodes().Sum(n => n.Capacity.Cpu.MilliValue) / 1000);
        Assert.Contains(h.Cluster.Events, e => e.Reason == "FailedProvisioning" && e.Name.StartsWith("second", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CapacityError_CreatesNothing_AndPlansThePodsAgain()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 1);
        foreach (var type in ControllerHarness.DefaultTypes())
        {
            foreach (var offering in type.Offerings)
            {
                h.Cloud.NoCapacity.Add($"{type.Name}/{offering.Zone}/{offering.CapacityType}");
            }
        }

        await h.PassAsync();

        Assert.Empty(h.CapstanNodes());
        Assert.Equal(1, h.Batcher.Count);
        h.Cloud.NoCapacity.Clear();

        await h.PassAsync();

        Assert.NotNull(h.Cluster.NodeOf("apps", "inflate-0"));
    }

    [Fact]
    public async Task TransientLaunchFailure_IsRetried_WithTheSameClaim()
    {
        using var h = new ControllerHarness(options: new Provisioning.ProvisioningOptions { LaunchRetryDelay = TimeSpan.FromMilliseconds(1) });
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 1);
        h.Cloud.TransientFailures = 2;

        var pass = h.PassAsync();
        while (!pass.IsCompleted)
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        await pass;
        Assert.Equal(3, h.Cloud.Requests.Count);
        Assert.Single(h.Cloud.Requests.Select(r => r.ClaimName).Distinct());
        Assert.Single(h.CapstanNodes());
    }

    [Fact]
    public async Task LaunchThatFailedAfterRunningTheInstance_IsAdoptedNextPass_NeverLaunchedTwice()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 3);
        h.Cloud.FailAfterLaunching = 1;

        await h.PassAsync();
        Assert.Empty(h.CapstanNodes());
        Assert.Equal(1, h.Cloud.Running);

        await h.PassAsync();

        Assert.Equal(1, h.Cloud.Running);
        var node = Assert.Single(h.CapstanNodes());
        Assert.Equal(3, node.Pods.Count);
    }

    [Fact]
    public async Task Restart_AdoptsInstancesWithoutNodes_AndBindsThePodsThere()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 3);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());
        // As if the process had died right after CreateFleet: the instance runs, no Node, the pods pending.
        var pods = node.Pods.ToList();
        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.Cluster.RemoveNodeFinalizerAsync(node.Name, Finalizers.Termination, CancellationToken.None);
        Assert.Empty(h.CapstanNodes());
        foreach (var pod in pods)
        {
            h.Cluster.UpsertPod(h.Unschedulable(pod));
        }

        h.Restart();
        await h.PassAsync();

        Assert.Equal(1, h.Cloud.Running);
        Assert.Single(h.Cloud.Requests);
        var adopted = Assert.Single(h.CapstanNodes());
        Assert.Equal(node.Name, adopted.Name);
        Assert.Equal(3, adopted.Pods.Count);
    }

    [Fact]
    public async Task PodBoundMeanwhileBySomeoneElse_IsSkipped_NotAnError()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        // A node the plan cannot use (cordoned), which kube-scheduler's binding below still names.
        h.Cluster.UpsertNode(new NodeView { Name = "other", Unschedulable = true, Allocatable = ResourceList.Of("cpu", "64", "memory", "256Gi", "pods", "100") });
        var pods = h.AddUnschedulable("inflate", 2);
        var bindsBefore = h.Cluster.BindCalls;
        // kube-scheduler binds one pod while the launch is under way.
        h.Cloud.OnLaunch = () => h.Cluster.BindAsync("apps", "inflate-0", pods[0].Uid, "other", CancellationToken.None).GetAwaiter().GetResult();

        await h.PassAsync();

        Assert.Equal("other", h.Cluster.NodeOf("apps", "inflate-0"));
        Assert.Equal(Assert.Single(h.CapstanNodes()).Name, h.Cluster.NodeOf("apps", "inflate-1"));
        Assert.Equal(0, h.Batcher.Count);
        Assert.True(h.Cluster.BindCalls - bindsBefore >= 2);
    }
}
