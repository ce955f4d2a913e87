using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Capstan.Core.Cloud;
using Capstan.Core.Resources;
using Capstan.Kubernetes.Cluster;
using Capstan.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Kubernetes.Tests.Cluster;

/// <summary>The cache on the real KubernetesClient against <see cref="FakeApiServer"/>'s lists and watches.</summary>
public sealed class KubernetesClusterCacheTests : IAsyncLifetime, IDisposable
{
    private const string NodesPath = "/api/v1/nodes";
    private const string PodsPath = "/api/v1/pods";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private FakeApiServer _server = null!;
    private k8s.Kubernetes? _client;
    private KubernetesClusterCache? _cache;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cache is not null)
        {
            await _cache.StopAsync(CancellationToken.None).WaitAsync(s_deadline);
        }

        await _server.DisposeAsync();
    }

    public void Dispose()
    {
        _cache?.Dispose();
        _client?.Dispose();
    }

    private async Task<KubernetesClusterCache> StartCacheAsync(bool waitForSync = true, IMeterFactory? meterFactory = null)
    {
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.BaseAddress.ToString() });
        _cache = new KubernetesClusterCache(_client, new KubernetesClusterCacheOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
            MissingCrdRetry = TimeSpan.FromMilliseconds(100),
            ListPageSize = 2,
            Pricing = labels => labels.TryGetValue("node.kubernetes.io/instance-type", out var type) && type == "m5.large" ? 0.096 : null,
            NodeTemplateConverter = crd => new NodeTemplate { Name = crd.Metadata.Name, AmiFamily = crd.Spec.AmiFamily },
        }, meterFactory: meterFactory);
        await _cache.StartAsync(CancellationToken.None);
        if (waitForSync)
        {
            await Until(() => _cache.IsSynced, "the cache syncs");
        }

        return _cache;
    }

    /// <summary>Polls until the condition holds; fails after 10 s.</summary>
    private static Task Until(Func<bool> condition, string what) => Poll.UntilAsync(condition, what, s_deadline);

    /// <summary>Nodes, pods, provisioners, awsnodetemplates, daemonsets, namespaces, poddisruptionbudgets.</summary>
    private Task WatchesOpen() => Until(() => _server.OpenWatches == 7, "the seven watches are open");

    [Fact]
    public async Task Start_ListsNodesPodsAndProvisioners_InPages()
    {
        _server.UpsertNode(KubeObjects.Node("n1", labels: new Dictionary<string, string> { ["node.kubernetes.io/instance-type"] = "m5.large" }));
        _server.UpsertNode(KubeObjects.Node("n2"));
        _server.UpsertNode(KubeObjects.Node("n3", ready: false, labels: new Dictionary<string, string> { ["karpenter.sh/provisioner-name"] = "default" }));
        _server.UpsertPod(KubeObjects.Pod("apps", "bound", nodeName: "n1", cpu: "1", phase: "Running"));
        _server.UpsertPod(KubeObjects.Pod("apps", "pending", cpu: "500m"));
        _server.UpsertPod(KubeObjects.Pod("apps", "done", nodeName: "n1", cpu: "1", phase: "Succeeded"));
        _server.UpsertProvisioner(KubeObjects.Provisioner("default", new Dictionary<string, string> { ["intent"] = "apps" }));

        var cache = await StartCacheAsync();

        Assert.Equal(["n1", "n2", "n3"], cache.Nodes().Select(n => n.Name));
        var n1 = cache.FindNode("n1")!;
        Assert.Equal("apps/bound", Assert.Single(n1.Pods).Key);
        Assert.Equal(ResourceList.Of("cpu", "1", "pods", "1"), n1.Requested());
        Assert.Equal(ResourceList.Of("cpu", "4", "memory", "16Gi", "pods", "110"), n1.Allocatable);
        Assert.Equal(0.096, n1.PricePerHour);
        Assert.False(n1.InFlight);
        Assert.True(cache.FindNode("n3")!.InFlight);
        Assert.Equal("apps/pending", Assert.Single(cache.PendingPods()).Key);
        Assert.Equal("n1", cache.NodeOf("apps", "bound"));
        Assert.Null(cache.NodeOf("apps", "pending"));
        Assert.Null(cache.FindPod("apps", "done"));
        Assert.Equal(ResourceList.Of("cpu", "500m", "pods", "1"), cache.FindPod("apps", "pending")!.Requests);
        var provisioner = Assert.Single(cache.Provisioners());
        Assert.Equal("default", provisioner.Name);
        Assert.Equal("apps", provisioner.Labels["intent"]);
        Assert.True(_server.ListCalls(NodesPath) >= 2, "three nodes in pages of two take two list calls");
    }

    [Fact]
    public async Task PodBound_MovesFromPendingToTheNode()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        var cache = await StartCacheAsync();
        _server.UpsertPod(KubeObjects.Pod("apps", "web", cpu: "1"));
        await Until(() => cache.PendingPods().Count == 1, "the new pod is pending");

        await new KubernetesClusterWriter(_client!).BindAsync("apps", "web", "uid-apps-web", "n1", CancellationToken.None);
        await Until(() => cache.NodeOf("apps", "web") == "n1", "the binding is seen");

        Assert.Empty(cache.PendingPods());
        Assert.Equal("apps/web", Assert.Single(cache.FindNode("n1")!.Pods).Key);
    }

    [Fact]
    public async Task PodDeletedOrFinished_LeavesTheNode()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Running"));
        _server.UpsertPod(KubeObjects.Pod("apps", "b", nodeName: "n1", cpu: "1", phase: "Running"));
        var cache = await StartCacheAsync();
        Assert.Equal(2, cache.FindNode("n1")!.Pods.Count);

        _server.DeletePod("apps", "a");
        _server.UpsertPod(KubeObjects.Pod("apps", "b", nodeName: "n1", cpu: "1", phase: "Failed"));
        await Until(() => cache.FindNode("n1")!.Pods.Count == 0, "both pods leave the node");

        Assert.Null(cache.FindPod("apps", "a"));
        Assert.Null(cache.NodeOf("apps", "b"));
    }

    [Fact]
    public async Task FinishedPods_AreLeftOutByTheApiServer_ThroughAFieldSelectorOnTheListAndTheWatch()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        _server.UpsertPod(KubeObjects.Pod("apps", "done", nodeName: "n1", cpu: "1", phase: "Succeeded"));
        _server.UpsertPod(KubeObjects.Pod("apps", "live", nodeName: "n1", cpu: "1", phase: "Running"));
        var cache = await StartCacheAsync();
        await WatchesOpen();

        _server.UpsertPod(KubeObjects.Pod("apps", "live", nodeName: "n1", cpu: "1", phase: "Succeeded"));
        await Until(() => cache.FindNode("n1")!.Pods.Count == 0, "the finished pod leaves the node");

        Assert.Null(cache.FindPod("apps", "done"));
        Assert.Null(cache.FindPod("apps", "live"));
        var podCalls = _server.Requests.Where(r => r.Path == PodsPath).Select(r => Uri.UnescapeDataString(r.Query)).ToList();
        Assert.True(podCalls.Count >= 2, "a list and a watch");
        Assert.All(podCalls, query => Assert.Contains("fieldSelector=status.phase!=Succeeded,status.phase!=Failed", query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task NodeEvents_AreReflected()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        var cache = await StartCacheAsync();

        _server.UpsertNode(KubeObjects.Node("n2"));
        _server.UpsertNode(KubeObjects.Node("n1", unschedulable: true));
        await Until(() => cache.FindNode("n2") is not null && cache.FindNode("n1")!.Unschedulable, "the new and the cordoned node are seen");
        _server.DeleteNode("n2");
        await Until(() => cache.FindNode("n2") is null, "the deleted node disappears");

        Assert.Equal(["n1"], cache.Nodes().Select(n => n.Name));
    }

    [Fact]
    public async Task Nodes_StaySortedByName_AsNodesComeAndGo_AndShowEachNodesCurrentView()
    {
        _server.UpsertNode(KubeObjects.Node("n3"));
        _server.UpsertNode(KubeObjects.Node("n1"));
        var cache = await StartCacheAsync();
        Assert.Equal(["n1", "n3"], cache.Nodes().Select(n => n.Name));

        _server.UpsertNode(KubeObjects.Node("n2"));
        await Until(() => cache.FindNode("n2") is not null, "the new node arrives");
        Assert.Equal(["n1", "n2", "n3"], cache.Nodes().Select(n => n.Name));

        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n3", cpu: "1", phase: "Running"));
        await Until(() => cache.FindNode("n3")!.Pods.Count == 1, "the pod joins n3");
        var nodes = cache.Nodes();
        Assert.Equal(["n1", "n2", "n3"], nodes.Select(n => n.Name));
        Assert.Same(cache.FindNode("n3"), nodes[2]);

        _server.DeleteNode("n1");
        _server.UpsertNode(KubeObjects.Node("n0"));
        await Until(() => cache.FindNode("n1") is null && cache.FindNode("n0") is not null, "n1 goes and n0 arrives");
        Assert.Equal(["n0", "n2", "n3"], cache.Nodes().Select(n => n.Name));
        _server.UpsertNode(KubeObjects.Node("n1"));
        await Until(() => cache.FindNode("n1") is not null, "n1 is back");
        Assert.Equal(["n0", "n1", "n2", "n3"], cache.Nodes().Select(n => n.Name));
    }

    [Fact]
    public async Task NodePods_AreInKeyOrder_WhateverOrderTheyArriveIn()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        var cache = await StartCacheAsync();

        // In "namespace/name" order, '-' (0x2D) sorts before '/' (0x2F): apps-b/x comes before apps/a.
        foreach (var (ns, name) in new[] { ("apps", "c"), ("apps-b", "x"), ("apps", "a"), ("web", "z"), ("apps", "b") })
        {
            _server.UpsertPod(KubeObjects.Pod(ns, name, nodeName: "n1", cpu: "100m", phase: "Running"));
        }

        await Until(() => cache.FindNode("n1")!.Pods.Count == 5, "the five pods are on n1");
        Assert.Equal(["apps-b/x", "apps/a", "apps/b", "apps/c", "web/z"], cache.FindNode("n1")!.Pods.Select(p => p.Key));

        _server.DeletePod("apps", "b");
        await Until(() => cache.FindNode("n1")!.Pods.Count == 4, "the deleted pod leaves n1");
        Assert.Equal(["apps-b/x", "apps/a", "apps/c", "web/z"], cache.FindNode("n1")!.Pods.Select(p => p.Key));
    }

    [Fact]
    public async Task UnrelatedEvents_KeepTheNodeViewInstance_PodChangesReplaceIt()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        _server.UpsertNode(KubeObjects.Node("n2"));
        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Pending"));
        var cache = await StartCacheAsync();
        var before = cache.FindNode("n1")!;

        // Status churn on n1 and its pod, and changes elsewhere; then sentinels mark that every event was applied.
        var heartbeat = KubeObjects.Node("n1");
        ((JsonObject)heartbeat["status"]!["conditions"]![0]!)["lastHeartbeatTime"] = "2024-01-01T00:05:00Z";
        _server.UpsertNode(heartbeat);
        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Running"));
        _server.UpsertPod(KubeObjects.Pod("apps", "b", nodeName: "n2", cpu: "2", phase: "Running"));
        _server.UpsertNode(KubeObjects.Node("n2", cpu: "8"));
        _server.UpsertNode(KubeObjects.Node("sentinel"));
        _server.UpsertPod(KubeObjects.Pod("apps", "sentinel"));
        await Until(() => cache.FindNode("sentinel") is not null && cache.FindPod("apps", "sentinel") is not null, "the sentinels arrive");

        Assert.Same(before, cache.FindNode("n1"));
        Assert.Equal(ResourceList.Of("cpu", "2", "pods", "1"), cache.FindNode("n2")!.Requested());

        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "3", phase: "Running"));
        await Until(() => cache.FindNode("n1")!.Requested().Equals(ResourceList.Of("cpu", "3", "pods", "1")), "the resized pod is seen");
        Assert.NotSame(before, cache.FindNode("n1"));
    }

    [Fact]
    public async Task NodeSlot_FollowsTheNode_IsClearedOnDelete_AndANodeCreatedAgainGetsANewOne()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        var cache = await StartCacheAsync();
        var slot = cache.FindSlot("n1")!;
        var first = slot.View;

        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Running"));
        await Until(() => slot.View!.Pods.Count == 1, "the pod is seen through the slot");
        _server.DeleteNode("n1");
        await Until(() => slot.View is null, "the slot is cleared");
        _server.UpsertNode(KubeObjects.Node("n1"));
        await Until(() => cache.FindSlot("n1") is not null, "the node is back");

        var again = cache.FindSlot("n1")!;
        Assert.Empty(first!.Pods);
        Assert.NotSame(slot, again);
        Assert.Null(slot.View);
        Assert.Equal(["a"], again.View!.Pods.Select(p => p.Name)); // the pod was not deleted: it is attached again
        Assert.Same(again.View, cache.FindNode("n1"));
    }

    [Fact]
    public async Task PodOnUnknownNode_IsAttachedWhenTheNodeAppears()
    {
        _server.UpsertPod(KubeObjects.Pod("apps", "early", nodeName: "n7", cpu: "1", phase: "Running"));
        var cache = await StartCacheAsync();
        Assert.Null(cache.FindNode("n7"));
        Assert.Equal("n7", cache.NodeOf("apps", "early"));
        Assert.Empty(cache.PendingPods());

        _server.UpsertNode(KubeObjects.Node("n7"));
        await Until(() => cache.FindNode("n7") is not null, "the node arrives");

        Assert.Equal("apps/early", Assert.Single(cache.FindNode("n7")!.Pods).Key);
    }

    [Fact]
    public async Task WatchDropped_ResumesFromTheLastVersion_WithoutListingAgainOrLosingEvents()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Running"));
        var cache = await StartCacheAsync();
        _server.UpsertPod(KubeObjects.Pod("apps", "seen", cpu: "1"));
        await Until(() => cache.FindPod("apps", "seen") is not null, "a first watched event");
        await WatchesOpen();

        _server.DropWatches();
        _server.UpsertNode(KubeObjects.Node("n2"));
        _server.UpsertPod(KubeObjects.Pod("apps", "during", cpu: "1"));
        _server.DeletePod("apps", "a");
        await Until(() => cache.FindNode("n2") is not null && cache.FindPod("apps", "during") is not null && cache.FindPod("apps", "a") is null,
            "the events made while the watches were down arrive");

        Assert.Equal(1, _server.ListCalls(NodesPath));
        Assert.Equal(1, _server.ListCalls(PodsPath));
        Assert.True(_server.WatchCalls(PodsPath) >= 2);
        Assert.Empty(cache.FindNode("n1")!.Pods);
    }

    [Fact]
    public async Task StreamError_ListsAgain()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        var cache = await StartCacheAsync();
        await WatchesOpen();

        _server.DropWatches(abort: true);
        _server.UpsertNode(KubeObjects.Node("n2"));
        await Until(() => _server.ListCalls(NodesPath) >= 2 && cache.FindNode("n2") is not null, "the nodes are listed again");

        Assert.True(cache.IsSynced);
        Assert.Equal(["n1", "n2"], cache.Nodes().Select(n => n.Name));
    }

    [Fact]
    public async Task Metrics_CountListsAndLostWatches_AndShowSyncAndSize()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var recorder = new MeasurementRecorder(ClusterCacheMetrics.MeterName, meters);
        _server.UpsertNode(KubeObjects.Node("n1"));
        _server.UpsertPod(KubeObjects.Pod("apps", "a", nodeName: "n1", cpu: "1", phase: "Running"));
        _server.UpsertPod(KubeObjects.Pod("apps", "b", cpu: "1"));
        await StartCacheAsync(meterFactory: meters);
        await WatchesOpen();

        _server.ExpireWatches();
        await Until(() => _server.ListCalls(NodesPath) == 2 && _server.ListCalls(PodsPath) == 2, "the relist");
        // The server answers the relist before the cache counts it: wait for the counts of both kinds.
        await Until(() => recorder.Sum("lists", ("resource", "pods")) == 2 && recorder.Sum("lists", ("resource", "nodes")) == 2, "the relist is counted");
        recorder.Collect();

        Assert.Equal(2, recorder.Sum("lists", ("resource", "nodes")));
        Assert.Equal(1, recorder.Sum("watch.restarts", ("resource", "nodes"), ("reason", "gone")));
        Assert.Equal(0, recorder.Sum("watch.restarts", ("reason", "error")));
        Assert.Equal(1, recorder.Last("synced"));
        Assert.Equal(1, recorder.Last("nodes"));
        Assert.Equal(2, recorder.Last("pods"));
    }

    [Fact]
    public async Task Gone_ListsAgain_AndReplacesTheState()
    {
        _server.UpsertNode(KubeObjects.Node("n1"));
        _server.UpsertNode(KubeObjects.Node("n2"));
        _server.UpsertPod(KubeObjects.Pod("apps", "a", cpu: "1"));
        var cache = await StartCacheAsync();
        var n1 = cache.FindNode("n1");
        await WatchesOpen();

        // Changes whose events are compacted away while the watches are down: resuming answers 410, so list again.
        _server.CompactWhileDisconnected(() =>
        {
            _server.DeleteNode("n2");
            _server.DeletePod("apps", "a");
        });
        await Until(() => cache.FindNode("n2") is null && cache.FindPod("apps", "a") is null, "the relist drops what is gone");
        Assert.Equal(2, _server.ListCalls(NodesPath));
        await WatchesOpen();

        // An ERROR event with a 410 Status on the open watches.
        _server.ExpireWatches();
        await Until(() => _server.ListCalls(NodesPath) == 3 && _server.ListCalls(PodsPath) == 3, "the second relist");

        Assert.Same(n1, cache.FindNode("n1"));
        Assert.Empty(cache.PendingPods());
    }

    [Fact]
    public async Task ProvisionerCrdAbsent_SyncsWithNoProvisioners_AndPicksThemUpOnceInstalled()
    {
        _server.ProvisionerCrdInstalled = false;
        _server.UpsertNode(KubeObjects.Node("n1"));

        var cache = await StartCacheAsync();

        Assert.Empty(cache.Provisioners());
        Assert.Single(cache.Nodes());
        _server.UpsertProvisioner(KubeObjects.Provisioner("default"));
        _server.ProvisionerCrdInstalled = true;
        await Until(() => cache.Provisioners().Count == 1, "the provisioner is listed on a retry");
    }

    [Fact]
    public async Task ProvisionerEvents_AreReflected()
    {
        var cache = await StartCacheAsync();

        _server.UpsertProvisioner(KubeObjects.Provisioner("b"));
        _server.UpsertProvisioner(KubeObjects.Provisioner("a", new Dictionary<string, string> { ["team"] = "x" }));
        await Until(() => cache.Provisioners().Count == 2, "both provisioners arrive");
        Assert.Equal(["a", "b"], cache.Provisioners().Select(p => p.Name));
        Assert.Equal("x", cache.Provisioners()[0].Labels["team"]);

        _server.DeleteProvisioner("b");
        await Until(() => cache.Provisioners().Count == 1, "the deleted provisioner leaves");
    }

    [Fact]
    public async Task Bookmark_MovesTheResumeVersion()
    {
        var cache = await StartCacheAsync();
        await WatchesOpen();
        _server.AddNode("elsewhere-change");
        await Until(() => cache.FindNode("elsewhere-change") is not null, "a node event");
        var version = _server.Revision;

        _server.SendBookmarks();
        _server.DropWatches();
        await Until(() => _server.WatchCalls(PodsPath) >= 2, "the pod watch resumes");

        var resumed = _server.Requests.Last(r => r.Path == PodsPath && r.Query.Contains("watch=true", StringComparison.Ordinal));
        Assert.Contains($"resourceVersion={version}", resumed.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotSynced_UntilEveryListSucceeded()
    {
        _server.FailLists(PodsPath, HttpStatusCode.InternalServerError);

        var cache = await StartCacheAsync(waitForSync: false);
        await Until(() => _server.ListCalls(PodsPath) >= 2 && _server.OpenWatches == 6, "the other kinds watch while pods retry");

        Assert.False(cache.IsSynced);
        _server.FailLists(PodsPath, null);
        await Until(() => cache.IsSynced, "the pods list succeeds");
    }

    [Fact]
    public async Task Stop_ClosesTheWatches()
    {
        var cache = await StartCacheAsync();
        await WatchesOpen();

        await cache.StopAsync(CancellationToken.None).WaitAsync(s_deadline);

        await Until(() => _server.OpenWatches == 0, "the server sees the watches closed");
    }

    [Fact]
    public void Backoff_GrowsJitteredToTheCeiling_AndResets()
    {
        var backoff = new WatchBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), new Random(3));

        var delays = Enumerable.Range(0, 6).Select(_ => backoff.Next()).ToList();

        double[] ceilings = [1, 2, 4, 8, 8, 8];
        for (var i = 0; i < delays.Count; i++)
        {
            Assert.InRange(delays[i].TotalSeconds, ceilings[i] / 2, ceilings[i]);
        }

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalSeconds, 0.5, 1);
    }
}
