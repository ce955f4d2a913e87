using Capstan.Core.Ports;
using Capstan.Host.Status;
using Capstan.Sandbox.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Host.Tests.Status;

/// <summary>The timeline sampler on a fake clock: a point at start and one per interval, bounded.</summary>
public sealed class StatusSamplerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(StatusWorld.Now);
    private readonly InMemoryCluster _cluster = new();

    [Fact]
    public async Task Sampler_TakesAPointAtStartAndEveryInterval_KeepingTheLastOnes()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new StatusOptions { SampleInterval = TimeSpan.FromSeconds(10), TimelinePoints = 3 });
        var timeline = new StatusTimeline(options);
        using var services = new ServiceCollection().AddSingleton<IClusterState>(_cluster).BuildServiceProvider();
        using var sampler = new StatusSampler(services, timeline, _time, options, NullLogger<StatusSampler>.Instance);
        _cluster.UpsertNode(StatusWorld.Node("node-a", price: 0.1));

        await sampler.StartAsync(CancellationToken.None);
        await Until(() => timeline.Points().Count == 1);
        for (var i = 1; i <= 3; i++)
        {
            _cluster.UpsertNode(StatusWorld.Node($"node-{i}", price: 0.2));
            _time.Advance(TimeSpan.FromSeconds(10));
            var expected = Math.Min(3, i + 1);
            await Until(() => timeline.Points().Count == expected && timeline.Points()[^1].Nodes == i + 1);
        }

        await sampler.StopAsync(CancellationToken.None);

        Assert.Equal(
            [new TimelinePoint(StatusWorld.Now.AddSeconds(10), 2, 0.3), new TimelinePoint(StatusWorld.Now.AddSeconds(20), 3, 0.5), new TimelinePoint(StatusWorld.Now.AddSeconds(30), 4, 0.7)],
            timeline.Points());
    }

    [Fact]
    public void Sampler_SkipsSamples_WhileTheClusterHasNotSynced()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new StatusOptions());
        var timeline = new StatusTimeline(options);
        using var services = new ServiceCollection().BuildServiceProvider();
        using var sampler = new StatusSampler(services, timeline, _time, options, NullLogger<StatusSampler>.Instance);

        Assert.False(sampler.Sample(new UnsyncedCluster(_cluster)));
        Assert.True(sampler.Sample(_cluster));

        Assert.Equal([new TimelinePoint(StatusWorld.Now, 0, 0)], timeline.Points());
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + s_timeout;
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "timed out waiting for the sampler");
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
    }

    /// <summary>A cluster whose caches are still listing.</summary>
    private sealed class UnsyncedCluster(InMemoryCluster inner) : IClusterState
    {
        public bool IsSynced => false;

        public IReadOnlyList<Capstan.Core.Cluster.NodeView> Nodes() => inner.Nodes();

        public Capstan.Core.Cluster.NodeView? FindNode(string name) => inner.FindNode(name);

        public IReadOnlyList<Capstan.Core.Provisioning.Provisioner> Provisioners() => inner.Provisioners();

        public IReadOnlyList<Capstan.Core.Pods.PodRequest> PendingPods() => inner.PendingPods();

        public string? NodeOf(string podNamespace, string podName) => inner.NodeOf(podNamespace, podName);

        public Capstan.Core.Pods.PodRequest? FindPod(string podNamespace, string podName) => inner.FindPod(podNamespace, podName);

        public IReadOnlyList<Capstan.Core.Pods.PodView> PendingPodViews() => inner.PendingPodViews();

        public Capstan.Core.Pods.PodView? FindPodView(string podNamespace, string podName) => inner.FindPodView(podNamespace, podName);

        public IReadOnlyList<Capstan.Core.Cloud.NodeTemplate> NodeTemplates() => inner.NodeTemplates();

        public IReadOnlyList<Capstan.Core.Pods.PodRequest> DaemonSetPods() => inner.DaemonSetPods();

        public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels() => inner.NamespaceLabels();

        public IReadOnlyList<Capstan.Core.Cluster.DisruptionBudget> DisruptionBudgets() => inner.DisruptionBudgets();

        public Capstan.Core.Cluster.ClusterSubscription Subscribe(Func<Capstan.Core.Cluster.ClusterChange, bool>? filter = null) => inner.Subscribe(filter);
    }
}
