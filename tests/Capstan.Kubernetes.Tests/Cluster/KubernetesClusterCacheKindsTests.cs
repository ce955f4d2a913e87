using Capstan.Core.Cluster;
using Capstan.Kubernetes.Cluster;
using Capstan.Testing;

namespace Capstan.Kubernetes.Tests.Cluster;

/// <summary>
/// AWSNodeTemplates, DaemonSets, Namespaces and PodDisruptionBudgets in the cache: listed in pages, watched,
/// resumed after a dropped watch without a new list, listed again after 410 Gone. One table drives every kind.
/// </summary>
public sealed class KubernetesClusterCacheKindsTests : IAsyncLifetime
{
    private CacheHarness _harness = null!;

    public static TheoryData<string> Kinds => ["awsnodetemplates", "daemonsets", "namespaces", "poddisruptionbudgets"];

    private FakeApiServer Server => _harness.Server;

    public async Task InitializeAsync() => _harness = await CacheHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    /// <summary>Creates (or changes, with a different <paramref name="variant"/>) object <paramref name="name"/> of the kind.</summary>
    private void Upsert(string kind, string name, int variant = 0)
    {
        switch (kind)
        {
            case "awsnodetemplates":
                Server.UpsertNodeTemplate(KubeObjects.AwsNodeTemplate(name, variant == 0 ? "AL2" : "Bottlerocket"));
                break;
            case "daemonsets":
                Server.UpsertDaemonSet(KubeObjects.DaemonSet("kube-system", name, cpu: variant == 0 ? "100m" : "300m"));
                break;
            case "namespaces":
                Server.UpsertNamespace(KubeObjects.Namespace(name, new Dictionary<string, string> { ["team"] = variant == 0 ? "a" : "b" }));
                break;
            default:
                Server.UpsertDisruptionBudget(KubeObjects.DisruptionBudget("shop", name, "web", minAvailable: variant == 0 ? "1" : "50%"));
                break;
        }
    }

    private void Delete(string kind, string name)
    {
        var deleted = kind switch
        {
            "awsnodetemplates" => Server.DeleteNodeTemplate(name),
            "daemonsets" => Server.DeleteDaemonSet("kube-system", name),
            "namespaces" => Server.DeleteNamespace(name),
            _ => Server.DeleteDisruptionBudget("shop", name),
        };
        Assert.True(deleted);
    }

    /// <summary>
    /// The objects of the kind the cache holds, by name, each with the fact that <see cref="Upsert"/>'s variant changes.
    /// Namespaces are the test's own (those with a team label): the API server's four (default, kube-system, ...) are left out.
    /// </summary>
    private Dictionary<string, string> Held(string kind)
    {
        var cache = _harness.Cache;
        return kind switch
        {
            "awsnodetemplates" => cache.NodeTemplates().ToDictionary(t => t.Name!, t => t.AmiFamily ?? ""),
            "daemonsets" => cache.DaemonSetPods().ToDictionary(p => p.Name, p => p.Requests.Cpu.ToString()),
            "namespaces" => cache.NamespaceLabels().Where(n => n.Value.ContainsKey("team")).ToDictionary(n => n.Key, n => n.Value["team"]),
            _ => cache.DisruptionBudgets().ToDictionary(b => b.Name, b => b.MinAvailable.ToString()!),
        };
    }

    private static string Path(string kind) => kind switch
    {
        "awsnodetemplates" => "/apis/karpenter.k8s.aws/v1alpha1/awsnodetemplates",
        "daemonsets" => "/apis/apps/v1/daemonsets",
        "namespaces" => "/api/v1/namespaces",
        _ => "/apis/policy/v1/poddisruptionbudgets",
    };

    /// <summary>The lists of the kind made from the start: first pages only (namespaces take several pages each).</summary>
    private int Lists(string kind) =>
        Server.Requests.Count(r => r.Method == "GET" && r.Path == Path(kind) && !r.Query.Contains("watch=true", StringComparison.Ordinal)
            && !r.Query.Contains("continue=", StringComparison.Ordinal));

    private static ClusterObjectKind KindOf(string kind) => kind switch
    {
        "awsnodetemplates" => ClusterObjectKind.NodeTemplate,
        "daemonsets" => ClusterObjectKind.DaemonSet,
        "namespaces" => ClusterObjectKind.Namespace,
        _ => ClusterObjectKind.DisruptionBudget,
    };

    private static Task Until(Func<bool> condition, string what) => CacheHarness.Until(condition, what);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Start_ListsTheKind_InPages(string kind)
    {
        Upsert(kind, "a");
        Upsert(kind, "b");
        Upsert(kind, "c", variant: 1);

        await _harness.StartAsync();

        var held = Held(kind);
        Assert.Equal(["a", "b", "c"], held.Keys.Order(StringComparer.Ordinal));
        Assert.NotEqual(held["a"], held["c"]);
        // Three objects in pages of two; namespaces come with the server's own four: seven.
        Assert.Equal(kind == "namespaces" ? 4 : 2, Server.ListCalls(Path(kind)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Watch_ReflectsAddsChangesAndDeletes_AndSignalsEach(string kind)
    {
        Upsert(kind, "a");
        var cache = await _harness.StartAsync();
        using var changes = cache.Subscribe(c => c.Kind == KindOf(kind));
        var before = Held(kind)["a"];

        Upsert(kind, "b");
        Upsert(kind, "a", variant: 1);
        await Until(() => Held(kind).Count == 2 && Held(kind)["a"] != before, "the new and the changed object are seen");
        Delete(kind, "b");
        await Until(() => Held(kind).Count == 1, "the deleted object leaves");
        Upsert(kind, "sentinel");

        // Read nothing until the sentinel's change is queued (a, then the sentinel: b's add and delete met in the queue).
        await Until(() => Held(kind).ContainsKey("sentinel") && changes.Count == 2, "the sentinel's change is queued");
        var seen = Drain(changes);
        Assert.Contains(seen, c => c.Key.Split('/')[^1] == "a" && c.Type == ClusterChangeType.Updated);
        Assert.DoesNotContain(seen, c => c.Key.Split('/')[^1] == "b"); // added, then deleted before it was read
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task UnchangedObject_IsNoChange(string kind)
    {
        Upsert(kind, "a");
        var cache = await _harness.StartAsync();
        using var changes = cache.Subscribe(c => c.Kind == KindOf(kind));

        Upsert(kind, "a");           // the same object again: a MODIFIED with nothing the cache keeps changed
        Upsert(kind, "sentinel");
        await Until(() => Held(kind).ContainsKey("sentinel") && changes.Count >= 1, "the sentinel's change is queued");

        Assert.Equal(["sentinel"], Drain(changes).Select(c => c.Key.Split('/')[^1]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task WatchDropped_ResumesFromTheLastVersion_WithoutListingAgain(string kind)
    {
        Upsert(kind, "a");
        await _harness.StartAsync();
        Upsert(kind, "seen");
        await Until(() => Held(kind).ContainsKey("seen"), "a first watched event");
        await _harness.WatchesOpen();

        Server.DropWatches();
        Upsert(kind, "during");
        Delete(kind, "a");
        await Until(() => Held(kind).ContainsKey("during") && !Held(kind).ContainsKey("a"), "the events made while the watch was down arrive");

        Assert.Equal(1, Lists(kind));
        Assert.True(Server.WatchCalls(Path(kind)) >= 2);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Gone_ListsAgain_AndReplacesTheState_SignallingTheDifference(string kind)
    {
        Upsert(kind, "a");
        Upsert(kind, "b");
        var cache = await _harness.StartAsync();
        await _harness.WatchesOpen();
        using var changes = cache.Subscribe(c => c.Kind == KindOf(kind));

        Server.CompactWhileDisconnected(() =>
        {
            Delete(kind, "b");
            Upsert(kind, "c");
        });
        await Until(() => !Held(kind).ContainsKey("b") && Held(kind).ContainsKey("c"), "the relist finds what changed");
        Assert.Equal(2, Lists(kind));

        await _harness.WatchesOpen();
        Server.ExpireWatches();
        await Until(() => Lists(kind) == 3, "the relist after an ERROR 410 event");

        var seen = (await CacheHarness.ReadUntilAsync(changes, r => r.Count >= 2, "both differences are signalled"))
            .ToDictionary(c => c.Key.Split('/')[^1], c => c.Type);
        Assert.Equal(new Dictionary<string, ClusterChangeType> { ["b"] = ClusterChangeType.Deleted, ["c"] = ClusterChangeType.Added }, seen);
        Assert.Equal(["a", "c"], Held(kind).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NodeTemplateCrdAbsent_SyncsWithNoTemplates_AndPicksThemUpOnceInstalled()
    {
        Server.NodeTemplateCrdInstalled = false;

        var cache = await _harness.StartAsync();

        Assert.Empty(cache.NodeTemplates());
        Server.UpsertNodeTemplate(KubeObjects.AwsNodeTemplate("default"));
        Server.NodeTemplateCrdInstalled = true;
        await Until(() => cache.NodeTemplates().Count == 1, "the template is listed on a retry");
        Assert.Equal("my-cluster", cache.NodeTemplates()[0].SubnetSelector["karpenter.sh/discovery"]);
    }

    [Fact]
    public async Task NoNodeTemplateConverter_TemplatesAreNotWatched_AndTheCacheStillSyncs()
    {
        Server.UpsertNodeTemplate(KubeObjects.AwsNodeTemplate("default"));
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = Server.BaseAddress.ToString() });
        using var cache = new KubernetesClusterCache(client);
        await cache.StartAsync(CancellationToken.None);

        await Until(() => cache.IsSynced, "the cache syncs");
        await cache.StopAsync(CancellationToken.None).WaitAsync(CacheHarness.Deadline);

        Assert.Empty(cache.NodeTemplates());
        Assert.Equal(0, Server.ListCalls(Path("awsnodetemplates")));
    }

    private static List<ClusterChange> Drain(ClusterSubscription subscription)
    {
        var changes = new List<ClusterChange>();
        while (subscription.TryRead(out var change))
        {
            changes.Add(change);
        }

        return changes;
    }
}
