using System.Text.Json.Nodes;
using System.Threading.Channels;
using Capstan.Sandbox.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.World;

/// <summary>
/// The sandbox's kube-controller-manager: what turns the Deployments, StatefulSets and Jobs a tutorial applies into
/// the pending pods Capstan provisions for, and what cleans up after deletions (garbage collection of owned objects,
/// the pod GC of pods whose node is gone). Without it nothing in the sandbox would ever ask for a node.
/// </summary>
/// <remarks>
/// Level-triggered: every store event on a kind it watches wakes one pass over everything (events arriving during a
/// pass fold into the next one), and a periodic resync on <c>time</c> catches what no event announces (a pod becoming
/// available after <c>minReadySeconds</c>, a Job's deadline). Each pass reads the store afresh, so no expectations
/// are needed as in the real controllers, whose caches lag. A write that races another writer (409, 404) is dropped
/// and looked at again on the next pass.
/// </remarks>
public sealed partial class WorkloadControllers(ObjectStore store, TimeProvider time, ILogger<WorkloadControllers> logger)
{
    /// <summary>At most this many pods made or deleted for one owner in one pass (the real controllers' burst).</summary>
    private const int Burst = 500;

    private static readonly ApiResource[] s_watched =
    [
        ApiResources.Deployments, ApiResources.ReplicaSets, ApiResources.StatefulSets, ApiResources.DaemonSets,
        ApiResources.Jobs, ApiResources.Pods, ApiResources.Nodes, ApiResources.DisruptionBudgets,
    ];

    private readonly ObjectStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly ILogger _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>How often a pass runs with no event to prompt it.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Passes run so far (for tests and the sandbox's status line).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    private long _passes;

    /// <summary>Runs the controllers until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var watches = new List<Task>();

        // The watches open before the first pass, so nothing written after the pass's reads goes unnoticed.
        foreach (var resource in s_watched)
        {
            watches.Add(FollowAsync(resource, OpenWatch(resource), cancellationToken));
        }

        watches.Add(ResyncAsync(cancellationToken));
        _logger.WorkloadControllersStarted(ResyncPeriod);
        Wake();
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken))
            {
                _wake.Reader.TryRead(out _);
                Pass();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                await Task.WhenAll(watches);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>One pass of every controller, in the order that lets a deletion cascade within few passes.</summary>
    public void Pass()
    {
        Interlocked.Increment(ref _passes);
        var now = _time.GetUtcNow();
        Step("pods of deleted nodes", CollectOrphanedPods);
        Step("owned objects", CollectGarbage);
        Step("deployments", () => SyncDeployments(now));
        Step("replicasets", () => SyncReplicaSets(now));
        Step("statefulsets", () => SyncStatefulSets(now));
        Step("jobs", () => SyncJobs(now));
        Step("daemonsets", () => SyncDaemonSets(now));
        Step("poddisruptionbudgets", () => SyncBudgets(now));
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private StoreWatch OpenWatch(ApiResource resource)
    {
        while (true)
        {
            try
            {
                return _store.Watch(resource, _store.Revision);
            }
            catch (ApiException e) when (e.Code == 410)
            {
                // Compacted between reading the version and opening the watch: read it again.
            }
        }
    }

    private async Task FollowAsync(ApiResource resource, StoreWatch watch, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using (watch)
            {
                try
                {
                    while (await watch.Events.WaitToReadAsync(cancellationToken))
                    {
                        while (watch.Events.TryRead(out _))
                        {
                        }

                        Wake();
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }

            // The stream ended (closed by the store): watch again, and pass once for whatever fell in between.
            _logger.WatchReopened(resource.Plural);
            watch = OpenWatch(resource);
            Wake();
        }

        watch.Dispose();
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(ResyncPeriod, _time, cancellationToken);
                Wake();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Step(string kind, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.PassFailed(e, kind);
        }
    }

    /// <summary>Runs one object's sync; a race with another writer ends it for this pass.</summary>
    private void Guard(ApiResource resource, JsonObject obj, Action sync)
    {
        try
        {
            sync();
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            var key = Key(obj);
            _logger.WriteRaced(resource.Kind, key, e.Reason);
        }
        catch (ApiException e)
        {
            var key = Key(obj);
            _logger.WriteRefused(resource.Kind, key, e.Message);
        }
    }

    private static string Key(JsonObject obj) => ObjectStore.KeyOf(ObjectStore.NamespaceOf(obj), ObjectStore.NameOf(obj));

    /// <summary>Writes <paramref name="status"/> as the object's status unless it already is.</summary>
    private void WriteStatus(ApiResource resource, JsonObject obj, JsonObject status)
    {
        if (JsonNode.DeepEquals(obj["status"], status))
        {
            return;
        }

        _store.Update(resource, ObjectStore.NamespaceOf(obj), ObjectStore.NameOf(obj), current =>
        {
            if (Workload.Uid(current) != Workload.Uid(obj))
            {
                return null;
            }

            current["status"] = status.DeepClone();
            return current;
        }, internalWrite: true);
    }

    /// <summary>Creates <paramref name="count"/> pods from an owner's template, named by the store.</summary>
    private void CreatePods(ApiResource resource, JsonObject owner, JsonNode? template, int count, IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var made = 0;
        try
        {
            for (; made < Math.Min(count, Burst); made++)
            {
                _store.Create(ApiResources.Pods, Workload.PodFromTemplate(template, owner, resource, null, extraLabels));
            }
        }
        finally
        {
            if (made > 0)
            {
                var (ns, name) = (Workload.Namespace(owner), Workload.Name(owner));
                _logger.PodsCreated(resource.Kind, ns, name, made);
            }
        }
    }

    /// <summary>Deletes the first <paramref name="count"/> of <paramref name="pods"/> in the order the controllers prefer.</summary>
    private void DeletePods(ApiResource resource, JsonObject owner, IEnumerable<JsonObject> pods, int count)
    {
        var doomed = pods.ToList();
        doomed.Sort(Workload.DeletionOrder);
        var deleted = 0;
        foreach (var pod in doomed.Take(Math.Min(count, Burst)))
        {
            try
            {
                _store.Delete(ApiResources.Pods, ObjectStore.NamespaceOf(pod), ObjectStore.NameOf(pod), uidPrecondition: Workload.Uid(pod));
                deleted++;
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
                // Gone already, or another pod of that name now: nothing to do.
            }
        }

        if (deleted > 0)
        {
            var (ns, name) = (Workload.Namespace(owner), Workload.Name(owner));
            _logger.PodsDeleted(resource.Kind, ns, name, deleted);
        }
    }

    private Dictionary<string, List<JsonObject>> PodsByController() => Workload.ByController(_store.List(ApiResources.Pods).Items);
}
