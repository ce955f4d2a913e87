using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Testing;

namespace Capstan.Kubernetes.Tests.Cluster;

/// <summary>The cache's change feed for pods and nodes, over the real KubernetesClient and <see cref="FakeApiServer"/>'s watches.</summary>
public sealed class KubernetesClusterCacheChangesTests : IAsyncLifetime
{
    private CacheHarness _harness = null!;

    private FakeApiServer Server => _harness.Server;

    public async Task InitializeAsync() => _harness = await CacheHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static JsonObject Unschedulable(JsonObject pod)
    {
        pod["status"] = new JsonObject
        {
            ["phase"] = "Pending",
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "PodScheduled",
                ["status"] = "False",
                ["reason"] = "Unschedulable",
                ["message"] = "0/3 nodes are available: 3 Insufficient cpu.",
            }),
        };
        return pod;
    }

    /// <summary>What a provisioning controller asks for: pending pods that kube-scheduler just found no node for.</summary>
    private static bool BecameUnschedulable(ClusterChange change) =>
        change.Pod is { IsBound: false, IsUnschedulable: true } && change.PreviousPod?.IsUnschedulable != true;

    [Fact]
    public async Task StatusOnlyUpdate_ToUnschedulable_IsSeen_AndSignalled()
    {
        var cache = await _harness.StartAsync();
        using var changes = cache.Subscribe(BecameUnschedulable);
        Server.UpsertPod(KubeObjects.Pod("apps", "web", cpu: "1"));
        await CacheHarness.Until(() => cache.FindPodView("apps", "web") is not null, "the pending pod arrives");
        Assert.Equal(0, changes.Count); // pending, but kube-scheduler has not tried it yet
        var request = cache.FindPod("apps", "web");

        Server.UpsertPod(Unschedulable(KubeObjects.Pod("apps", "web", cpu: "1"))); // the scheduler writes status only
        using var timeout = new CancellationTokenSource(CacheHarness.Deadline);
        Assert.True(await changes.WaitAsync(timeout.Token));

        Assert.True(changes.TryRead(out var change));
        Assert.Equal(ClusterObjectKind.Pod, change.Kind);
        Assert.Equal(ClusterChangeType.Updated, change.Type);
        Assert.Equal("apps/web", change.Key);
        Assert.Equal("Unschedulable", change.Pod!.ScheduledReason);
        Assert.Null(change.PreviousPod!.ScheduledStatus);
        Assert.True(cache.FindPodView("apps", "web")!.IsUnschedulable);
        Assert.True(Assert.Single(cache.PendingPodViews()).IsUnschedulable);
        Assert.Same(request, cache.FindPod("apps", "web")); // the request did not change: the same instance stays
    }

    [Fact]
    public async Task BoundPodStatusChurn_SignalsThePod_ButKeepsTheNodeView()
    {
        Server.UpsertNode(KubeObjects.Node("n1"));
        Server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Pending"));
        var cache = await _harness.StartAsync();
        var node = cache.FindNode("n1");
        using var changes = cache.Subscribe();

        Server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Running"));
        var seen = await CacheHarness.ReadUntilAsync(changes, read => read.Any(c => c.Pod?.Phase == "Running"), "the phase change is signalled");

        var change = Assert.Single(seen);
        Assert.Equal(("Pending", "Running"), (change.PreviousPod!.Phase, change.Pod!.Phase));
        Assert.False(changes.TryRead(out _)); // the node did not change
        Assert.Same(node, cache.FindNode("n1"));
    }

    [Fact]
    public async Task NodeChanges_AreSignalled_HeartbeatsAreNot()
    {
        Server.UpsertNode(KubeObjects.Node("n1"));
        var cache = await _harness.StartAsync();
        using var changes = cache.Subscribe(c => c.Kind == ClusterObjectKind.Node);

        var heartbeat = KubeObjects.Node("n1");
        ((JsonObject)heartbeat["status"]!["conditions"]![0]!)["lastHeartbeatTime"] = "2024-01-01T00:05:00Z";
        Server.UpsertNode(heartbeat);
        Server.UpsertNode(KubeObjects.Node("n2"));
        Server.UpsertNode(KubeObjects.Node("n1", unschedulable: true));
        Server.DeleteNode("n2");
        Server.UpsertNode(KubeObjects.Node("sentinel"));
        // Nothing is read until the sentinel's change is queued (the state shows it a moment before the change goes out):
        // by then n2's add and delete have met in the queue. Queued entries go 1 (n2), 2 (n1), 1 (n2 gone), 2 (sentinel).
        await CacheHarness.Until(() => cache.FindNode("sentinel") is not null && changes.Count == 2, "the sentinel's change is queued");
        var seen = new List<ClusterChange>();
        while (changes.TryRead(out var change))
        {
            seen.Add(change);
        }

        // n2 was added and deleted before a read: nothing to do. The heartbeat is no change.
        Assert.Equal([("n1", ClusterChangeType.Updated), ("sentinel", ClusterChangeType.Added)], seen.Select(c => (c.Key, c.Type)));
        Assert.False(seen[0].PreviousNode!.Unschedulable);
        Assert.True(seen[0].Node!.Unschedulable);
    }

    [Fact]
    public async Task SlowSubscriber_NeverBlocksTheWatch_AndGetsOneMergedChangePerObject()
    {
        Server.UpsertNamespace(KubeObjects.Namespace("apps"));
        var cache = await _harness.StartAsync();
        using var slow = cache.Subscribe();

        for (var i = 0; i < 50; i++)
        {
            Server.UpsertPod(KubeObjects.Pod("apps", "churn", cpu: $"{i + 1}m"));
        }

        Server.UpsertPod(KubeObjects.Pod("apps", "sentinel"));
        await CacheHarness.Until(() => cache.FindPod("apps", "sentinel") is not null && slow.Count == 2, "every event is applied and signalled while nobody reads");

        Assert.Equal(2, slow.Count);
        Assert.True(slow.TryRead(out var churn));
        Assert.Equal(ClusterChangeType.Added, churn.Type);
        Assert.Null(churn.PreviousPod);
        Assert.Equal("50m", churn.Pod!.Request.Requests.Cpu.ToString());
    }

    [Fact]
    public async Task Relist_AfterGone_SignalsWhatChangedMeanwhile()
    {
        Server.UpsertPod(KubeObjects.Pod("apps", "stays"));
        Server.UpsertPod(KubeObjects.Pod("apps", "goes"));
        var cache = await _harness.StartAsync();
        await _harness.WatchesOpen();
        using var changes = cache.Subscribe(c => c.Kind == ClusterObjectKind.Pod);

        Server.CompactWhileDisconnected(() =>
        {
            Server.DeletePod("apps", "goes");
            Server.UpsertPod(Unschedulable(KubeObjects.Pod("apps", "stays")));
        });
        var read = await CacheHarness.ReadUntilAsync(changes,
            r => r.Any(c => c.Key == "apps/goes") && r.Any(c => c.Key == "apps/stays" && c.Pod?.IsUnschedulable == true), "the relist signals both pods");
        var seen = read.GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Last());

        Assert.Equal(ClusterChangeType.Deleted, seen["apps/goes"].Type);
        Assert.True(seen["apps/stays"].Pod!.IsUnschedulable);
    }
}
