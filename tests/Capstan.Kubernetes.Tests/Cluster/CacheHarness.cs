using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Kubernetes.Cluster;
using Capstan.Testing;
using k8s;

namespace Capstan.Kubernetes.Tests.Cluster;

/// <summary>A <see cref="FakeApiServer"/> and a <see cref="KubernetesClusterCache"/> on the real KubernetesClient pointed at it.</summary>
internal sealed class CacheHarness : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private k8s.Kubernetes? _client;

    private CacheHarness(FakeApiServer server) => Server = server;

    public FakeApiServer Server { get; }

    public KubernetesClusterCache Cache { get; private set; } = null!;

    public static async Task<CacheHarness> CreateAsync() => new(await FakeApiServer.StartAsync());

    /// <summary>Starts the cache (node templates read by name and AMI family) and waits until it has synced.</summary>
    public async Task<KubernetesClusterCache> StartAsync()
    {
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Server.BaseAddress.ToString() });
        Cache = new KubernetesClusterCache(_client, new KubernetesClusterCacheOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
            MissingCrdRetry = TimeSpan.FromMilliseconds(100),
            ListPageSize = 2,
            NodeTemplateConverter = crd => new NodeTemplate
            {
                Name = crd.Metadata.Name,
                AmiFamily = crd.Spec.AmiFamily,
                SubnetSelector = crd.Spec.SubnetSelector ?? [],
            },
        });
        await Cache.StartAsync(CancellationToken.None);
        await Until(() => Cache.IsSynced, "the cache syncs");
        return Cache;
    }

    /// <summary>Every watch of the cache is open (seven kinds).</summary>
    public Task WatchesOpen() => Until(() => Server.OpenWatches == 7, "the seven watches are open");

    /// <summary>
    /// Reads the subscription until what was read satisfies <paramref name="complete"/>. The cache updates what readers
    /// see before it signals the change, so a test that saw the new state must still wait for the signal itself.
    /// </summary>
    public static async Task<List<ClusterChange>> ReadUntilAsync(ClusterSubscription subscription, Func<IReadOnlyList<ClusterChange>, bool> complete, string what)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(complete);
        var seen = new List<ClusterChange>();
        using var timeout = new CancellationTokenSource(Deadline);
        while (!complete(seen))
        {
            try
            {
                Assert.True(await subscription.WaitAsync(timeout.Token), $"the subscription ended before {what}");
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting until {what}; read so far: {string.Join(", ", seen.Select(c => $"{c.Key} {c.Type}"))}");
            }

            while (subscription.TryRead(out var change))
            {
                seen.Add(change);
            }
        }

        return seen;
    }

    /// <summary>Polls until the condition holds; fails after 10 s.</summary>
    public static Task Until(Func<bool> condition, string what) => Poll.UntilAsync(condition, what, Deadline);

    public async ValueTask DisposeAsync()
    {
        if (Cache is not null)
        {
            await Cache.StopAsync(CancellationToken.None).WaitAsync(Deadline);
            Cache.Dispose();
        }

        await Server.DisposeAsync();
        _client?.Dispose();
    }
}
