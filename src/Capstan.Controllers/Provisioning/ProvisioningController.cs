using System.Diagnostics;
using Capstan.Controllers.NodeGroups;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.NodeGroups;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Provisioning;

/// <summary>
/// The provisioning loop: pending pods that kube-scheduler could not place (and the extender's fast path) are
/// batched; each batch is planned by the packing core over a snapshot of the cluster; the new node claims are launched
/// in parallel, a Node object is created for each instance at once, and the claim's pods are bound to it through the
/// shared placement ledger. Capacity shortages re-plan the pods in the next batch; other cloud failures are retried on
/// the same claim (same idempotency token) and never block the other claims.
/// </summary>
public sealed partial class ProvisioningController : IController
{
    private readonly IClusterState _cluster;
    private readonly IClusterWriter _writer;
    private readonly ICloudProvider _cloud;
    private readonly IPlacementLedger _ledger;
    private readonly ProvisioningBatcher _batcher;
    private readonly ProvisioningTrigger _trigger;
    private readonly InstanceTypeSource _instanceTypes;
    private readonly InFlightNodes _inFlight;
    private readonly ProvisioningOptions _options;
    private readonly ProvisioningMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ProvisioningController> _logger;
    private readonly EventRecorder _events;
    private readonly Func<string, string> _claimName;
    private readonly NodeGroupScaler? _nodeGroups;
    private volatile bool _adoptionDue = true;
    private readonly Lock _displacedGate = new();
    private Dictionary<string, PodRequest> _displaced = new(StringComparer.Ordinal);

    public ProvisioningController(
        IClusterState cluster,
        IClusterWriter writer,
        ICloudProvider cloud,
        IPlacementLedger ledger,
        ProvisioningBatcher batcher,
        ProvisioningTrigger trigger,
        InstanceTypeSource instanceTypes,
        InFlightNodes inFlight,
        ProvisioningOptions options,
        ProvisioningMetrics metrics,
        TimeProvider time,
        ILogger<ProvisioningController> logger,
        Func<string, string>? claimName = null,
        NodeGroupScaler? nodeGroups = null)
    {
        _cluster = cluster;
        _writer = writer;
        _cloud = cloud;
        _ledger = ledger;
        _batcher = batcher;
        _trigger = trigger;
        _instanceTypes = instanceTypes;
        _inFlight = inFlight;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _events = new EventRecorder(writer, logger);
        _claimName = claimName ?? ClaimNames.New;
        _nodeGroups = nodeGroups is { Enabled: true } ? nodeGroups : null;
    }

    public string Name => "provisioning";

    /// <summary>
    /// Pods that are about to lose their node (an interruption, an expiry, a replacing consolidation): the next pass
    /// plans capacity for them as if they were pending, so the replacement is on its way before they are evicted.
    /// Their node must already be closed to new pods (cordoned, deleting or a disruption candidate). They are not
    /// bound by Capstan (they are bound still); their successors land on the new capacity once evicted.
    /// </summary>
    public void Displace(IEnumerable<PodRequest> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        lock (_displacedGate)
        {
            foreach (var pod in pods)
            {
                _displaced[pod.Key] = pod;
                _batcher.Add(pod.Key);
            }
        }
    }

    /// <summary>Passes completed since start (for tests and the sandbox's report).</summary>
    public int Passes { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var pods = _cluster.Subscribe(c =>
            (c.Kind == ClusterObjectKind.Pod && c.Pod is { } pod && Provisionable.Is(pod)) || (c.Kind == ClusterObjectKind.Node && c.Type == ClusterChangeType.Added));
        await ClusterSync.WaitAsync(_cluster, _time, cancellationToken).ConfigureAwait(false);
        _adoptionDue = true;
        EnqueuePending();
        var watch = WatchAsync(pods, cancellationToken);
        var resync = ResyncAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                IReadOnlySet<string> batch;
                try
                {
                    batch = await _batcher.NextAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    await ProvisionAsync(batch, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
                {
                    _logger.PassFailed(e);
                    foreach (var key in batch)
                    {
                        _batcher.Add(key);
                    }
                }

                Passes++;
            }
        }
        finally
        {
            await Task.WhenAll(watch, resync).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One pass over a closed batch: snapshot, plan, launch, create nodes, bind. Public for tests and benchmarks, which
    /// drive passes without the batching windows.
    /// </summary>
    public async Task ProvisionAsync(IReadOnlySet<string> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var started = _time.GetTimestamp();
        // Instances that may still become nodes must be known before anything new is launched for their pods.
        var mayLaunch = !_adoptionDue || await AdoptAsync(cancellationToken).ConfigureAwait(false);

        var fastPath = _trigger.TakeFastPath();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in _cluster.PendingPodViews())
        {
            if (Provisionable.Is(pod) || (fastPath.Contains(pod.Key) && Provisionable.IsCandidate(pod)))
            {
                wanted.Add(pod.Key);
            }
        }

        var displaced = TakeDisplaced();
        if (wanted.Count == 0 && displaced.Count == 0)
        {
            return;
        }

        var provisioners = _cluster.Provisioners();
        var capacity = await _instanceTypes.ResolveAsync(provisioners, _cluster.NodeTemplates(), cancellationToken).ConfigureAwait(false);
        var snapshot = Snapshot(wanted, displaced, capacity);
        if (snapshot.PendingPods.Count == 0)
        {
            return;
        }

        _logger.FoundProvisionablePods(snapshot.PendingPods.Count);
        _metrics.BatchClosed(snapshot.PendingPods.Count);
        var packing = Stopwatch.GetTimestamp();
        Plan plan;
        IReadOnlyList<NodeGroupScaleUp> scaleUps = [];
        if (_nodeGroups is { } groups)
        {
            (plan, scaleUps) = await groups.PlanAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            plan = Packer.Solve(snapshot);
        }

        _metrics.Packed(Stopwatch.GetElapsedTime(packing));

        var retry = new List<string>();
        var inFlightPods = PlaceOnInFlightNodes(plan, snapshot, out var inFlightPlacements);
        if (plan.NodeClaims.Count > 0)
        {
            var onClaims = plan.NodeClaims.Sum(c => c.Pods.Count);
            _logger.ComputedNewNodes(plan.NodeClaims.Count, onClaims);
        }

        if (inFlightPods > 0)
        {
            _logger.ComputedInFlight(inFlightPods);
        }

        await ReportUnschedulableAsync(plan, cancellationToken).ConfigureAwait(false);
        var work = new List<Task>();
        foreach (var (node, placed) in inFlightPlacements)
        {
            work.Add(BindAllAsync(node, placed, retry, cancellationToken));
        }

        foreach (var scaleUp in scaleUps)
        {
            work.Add(ScaleUpAsync(scaleUp, retry, cancellationToken));
        }

        using var slots = new SemaphoreSlim(_options.LaunchConcurrency);
        foreach (var claim in plan.NodeClaims)
        {
            if (!mayLaunch)
            {
                _logger.LaunchDeferred(claim.Pods.Count);
                Retry(retry, claim.Pods);
                continue;
            }

            work.Add(LaunchWithSlotAsync(slots, claim, capacity[claim.Provisioner], retry, cancellationToken));
        }

        await Task.WhenAll(work).ConfigureAwait(false);
        lock (retry)
        {
            foreach (var key in retry)
            {
                _batcher.Add(key);
            }
        }

        _metrics.Provisioned(_time.GetElapsedTime(started));
    }

    private List<PodRequest> TakeDisplaced()
    {
        lock (_displacedGate)
        {
            var taken = _displaced.Values.ToList();
            _displaced = new Dictionary<string, PodRequest>(StringComparer.Ordinal);
            return taken;
        }
    }

    private Snapshot Snapshot(HashSet<string> wanted, List<PodRequest> displaced, IReadOnlyDictionary<string, ProvisionerCapacity> capacity)
    {
        var snapshot = SnapshotBuilder.Build(_cluster, new SnapshotInputs
        {
            Now = _time.GetUtcNow(),
            InstanceTypesFor = p => capacity.TryGetValue(p.Name, out var c) ? c.InstanceTypes : [],
            DaemonSets = _cluster.DaemonSetPods(),
            NamespaceLabels = _cluster.NamespaceLabels(),
            Ledger = _ledger,
        });
        var unseen = _inFlight.Unseen(snapshot.Nodes);
        var upcoming = _nodeGroups?.Upcoming(snapshot.Nodes) ?? [];
        var nodes = unseen.Count == 0 && upcoming.Count == 0 ? snapshot.Nodes : [.. snapshot.Nodes, .. unseen, .. upcoming];
        var usage = SnapshotBuilder.Usage(nodes);
        return snapshot with
        {
            PendingPods = [.. snapshot.PendingPods.Where(p => wanted.Contains(p.Key)), .. displaced.Where(p => !wanted.Contains(p.Key))],
            Nodes = nodes,
            Provisioners = [.. snapshot.Provisioners.Select(s => s with { Usage = usage.GetValueOrDefault(s.Provisioner.Name, ResourceList.Empty) })],
        };
    }

    /// <summary>
    /// The plan's placements on existing nodes: those on registered nodes are left to kube-scheduler, which will find
    /// the room; those on nodes still in flight are Capstan's to bind, since kube-scheduler does not place pods there.
    /// </summary>
    private static int PlaceOnInFlightNodes(Plan plan, Snapshot snapshot, out List<(NodeView Node, IReadOnlyList<PodRequest> Pods)> placements)
    {
        placements = [];
        var byName = snapshot.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var count = 0;
        foreach (var placement in plan.ExistingNodes)
        {
            // Capacity asked of a node group has no Node yet: kube-scheduler places those pods once it registers.
            if (byName.TryGetValue(placement.NodeName, out var node) && node.InFlight && !node.MarkedForDeletion && !NodeGroupRegistry.IsUpcoming(node.Name))
            {
                placements.Add((node, placement.Pods));
                count += placement.Pods.Count;
            }
        }

        return count;
    }

    /// <summary>Grows one node group; its pods are planned again when the cloud refuses. Kube-scheduler binds them once the nodes register.</summary>
    private async Task ScaleUpAsync(NodeGroupScaleUp scaleUp, List<string> retry, CancellationToken cancellationToken)
    {
        if (!await _nodeGroups!.ScaleUpAsync(scaleUp, cancellationToken).ConfigureAwait(false))
        {
            Retry(retry, scaleUp.Pods);
            return;
        }

        // Cluster Autoscaler's event, in its words, so that dashboards and habits keep working.
        var group = scaleUp.Group;
        var message = $"pod triggered scale-up: [{{{group.Name} {scaleUp.From}->{scaleUp.To} (max: {group.MaxSize})}}]";
        foreach (var pod in scaleUp.Pods)
        {
            await _events.RecordAsync(PodEvent(pod, "TriggeredScaleUp", message), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReportUnschedulableAsync(Plan plan, CancellationToken cancellationToken)
    {
        foreach (var (pod, reason) in plan.Unschedulable)
        {
            _logger.CouldNotSchedule(pod.Key, reason);
            await _events.RecordAsync(PodEvent(pod, "FailedProvisioning", $"Capstan found no node to launch for the pod: {reason}", ClusterEventType.Warning),
                cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task LaunchWithSlotAsync(SemaphoreSlim slots, NodeClaimPlan claim, ProvisionerCapacity capacity, List<string> retry, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LaunchAsync(claim, capacity, retry, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task LaunchAsync(NodeClaimPlan claim, ProvisionerCapacity capacity, List<string> retry, CancellationToken cancellationToken)
    {
        var request = new LaunchRequest
        {
            ClaimName = _claimName(claim.Provisioner),
            ProvisionerName = claim.Provisioner,
            Template = capacity.Template!,
            InstanceTypes = [.. claim.InstanceTypeOptions.Select(o => o.InstanceType)],
            Requirements = claim.Requirements,
            Labels = claim.Labels,
            Taints = claim.Taints,
            StartupTaints = claim.StartupTaints,
            Kubelet = capacity.Provisioner.Kubelet,
        };

        var result = await LaunchWithRetriesAsync(request, claim, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            Retry(retry, claim.Pods);
            return;
        }

        if (result.Instance is not { } instance)
        {
            var offerings = string.Join(", ", result.Failures.Select(f => $"{f.InstanceType}/{f.Zone}/{f.CapacityType}").Distinct().Take(6));
            _logger.NoCapacity(request.ClaimName, offerings.Length == 0 ? "any offering" : offerings, claim.Pods.Count);
            Retry(retry, claim.Pods);
            return;
        }

        var hostname = NodeBuilder.NodeName(instance);
        _logger.LaunchedInstance(instance.InstanceId, hostname, instance.InstanceType, instance.Zone, instance.CapacityType);
        _metrics.Launched(claim.Provisioner, instance.InstanceType, instance.Zone, instance.CapacityType);
        var type = claim.InstanceTypeOptions.FirstOrDefault(o => o.InstanceType.Name == instance.InstanceType)?.InstanceType
            ?? capacity.InstanceTypes.FirstOrDefault(t => t.Name == instance.InstanceType)
            ?? claim.Cheapest.InstanceType;
        var node = NodeBuilder.Build(instance, type, capacity.Provisioner, claim.Labels, _time.GetUtcNow());
        try
        {
            await _writer.CreateNodeAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            _logger.NodeCreateFailed(e, node.Name, instance.InstanceId);
            _adoptionDue = true;
            Retry(retry, claim.Pods);
            return;
        }

        _inFlight.Add(node);
        var types = string.Join(", ", claim.InstanceTypeOptions.Take(5).Select(o => o.InstanceType.Name))
            + (claim.InstanceTypeOptions.Count > 5 ? $" and {claim.InstanceTypeOptions.Count - 5} other(s)" : "");
        var requests = ResourceText.Of(claim.Requests);
        _logger.CreatedNode(node.Name, claim.Pods.Count, requests, types);
        await _events.RecordAsync(new ClusterEvent
        {
            Kind = EventObjectKind.Node,
            Name = node.Name,
            Reason = "Launched",
            Message = $"Launched instance {instance.InstanceId} ({instance.InstanceType}, {instance.Zone}, {instance.CapacityType}) for {claim.Pods.Count} pod(s) of provisioner {claim.Provisioner}",
        }, cancellationToken).ConfigureAwait(false);
        await BindAllAsync(node, claim.Pods, retry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The launch, retried on the same request (so the same token) while the cloud's failure is transient; null when it gave up.</summary>
    private async Task<LaunchResult?> LaunchWithRetriesAsync(LaunchRequest request, NodeClaimPlan claim, CancellationToken cancellationToken)
    {
        var delay = _options.LaunchRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _cloud.LaunchAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudProviderException e) when (e.Retryable && attempt < _options.LaunchAttempts)
            {
                _logger.LaunchRetrying(request.ClaimName, e.Message, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
            catch (CloudProviderException e)
            {
                // The call may have launched the instance before failing: the instance carries the claim's tag and is
                // adopted on the next pass, so the pods planned again do not get a second one.
                _logger.LaunchFailed(request.ClaimName, e.Message, claim.Pods.Count);
                _adoptionDue = true;
                await EventsAsync(claim.Pods, "FailedLaunch", $"Launching a node for the pod failed: {e.Message}", cancellationToken).ConfigureAwait(false);
                return null;
            }
        }
    }

    private async Task BindAllAsync(NodeView node, IReadOnlyList<PodRequest> pods, List<string> retry, CancellationToken cancellationToken)
    {
        // Bindings are one API call each: a node's pods go out several at a time, and the ledger keeps them honest.
        var bound = 0;
        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = _options.BindConcurrency, CancellationToken = cancellationToken },
            async (pod, token) =>
            {
                switch (await BindAsync(node, pod, token).ConfigureAwait(false))
                {
                    case BindOutcome.Bound:
                        Interlocked.Increment(ref bound);
                        break;
                    case BindOutcome.Retry:
                        Retry(retry, [pod]);
                        break;
                }
            }).ConfigureAwait(false);

        if (bound > 0)
        {
            _logger.BoundPods(bound, node.Name);
        }
    }

    private async Task<BindOutcome> BindAsync(NodeView node, PodRequest pod, CancellationToken cancellationToken)
    {
        var view = _cluster.FindPodView(pod.Namespace, pod.Name);
        if (view is null || (pod.Uid.Length > 0 && view.Request.Uid != pod.Uid))
        {
            _logger.BindSkipped(pod.Key, node.Name, "the pod is gone");
            return BindOutcome.Skipped;
        }

        var current = view.NodeName ?? _ledger.BoundNodeOf(pod.Namespace, pod.Name);
        if (current is not null)
        {
            _logger.BindSkippedBound(pod.Key, node.Name, current);
            return BindOutcome.Skipped;
        }

        var reservation = _ledger.TryReserve(_cluster, node.Name, pod.Namespace, pod.Name, pod.Uid, pod.Requests);
        if (reservation.Outcome == Core.Placement.ReservationOutcome.NoRoom)
        {
            _logger.BindSkippedNoRoom(pod.Key, node.Name, reservation.Resource ?? "room");
            return BindOutcome.Retry;
        }

        var owned = reservation.Outcome == Core.Placement.ReservationOutcome.Reserved;
        try
        {
            await _writer.BindAsync(pod.Namespace, pod.Name, pod.Uid, node.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (BindingConflictException)
        {
            Release(owned, node.Name, pod);
            // Bound elsewhere or gone: someone else's to place. Still pending as far as the watch shows: the
            // conflict was transient, so the pod is planned again.
            if (_cluster.FindPodView(pod.Namespace, pod.Name) is { NodeName: null } still && still.Request.Uid == pod.Uid)
            {
                return BindOutcome.Retry;
            }

            _logger.BindSkipped(pod.Key, node.Name, "it was bound or deleted meanwhile");
            return BindOutcome.Skipped;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            Release(owned, node.Name, pod);
            _logger.BindFailed(e, pod.Key, node.Name);
            return BindOutcome.Retry;
        }
        catch (OperationCanceledException)
        {
            Release(owned, node.Name, pod);
            throw;
        }

        _ledger.Commit(node.Name, pod.Namespace, pod.Name, pod.Uid, pod.Requests);
        _metrics.Bound(view.CreatedAt is { } created ? _time.GetUtcNow() - created : null);
        await _events.RecordAsync(PodEvent(pod, "Scheduled", $"Successfully assigned {pod.Key} to {node.Name}, a node Capstan launched for it (still registering)"),
            cancellationToken).ConfigureAwait(false);
        return BindOutcome.Bound;
    }

    private void Release(bool owned, string nodeName, PodRequest pod)
    {
        if (owned)
        {
            _ledger.Release(nodeName, pod.Namespace, pod.Name);
        }
    }

    private static void Retry(List<string> retry, IEnumerable<PodRequest> pods)
    {
        lock (retry)
        {
            retry.AddRange(pods.Select(p => p.Key));
        }
    }

    private async Task EventsAsync(IEnumerable<PodRequest> pods, string reason, string message, CancellationToken cancellationToken)
    {
        foreach (var pod in pods)
        {
            await _events.RecordAsync(PodEvent(pod, reason, message, ClusterEventType.Warning), cancellationToken).ConfigureAwait(false);
        }
    }

    private static ClusterEvent PodEvent(PodRequest pod, string reason, string message, ClusterEventType type = ClusterEventType.Normal) => new()
    {
        Kind = EventObjectKind.Pod,
        Namespace = pod.Namespace,
        Name = pod.Name,
        Uid = pod.Uid,
        Reason = reason,
        Message = message,
        Type = type,
    };

    private void EnqueuePending()
    {
        foreach (var pod in _cluster.PendingPodViews())
        {
            if (Provisionable.Is(pod))
            {
                _batcher.Add(pod.Key);
            }
        }
    }

    private async Task WatchAsync(ClusterSubscription pods, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in pods.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (change.Kind == ClusterObjectKind.Node)
                {
                    _inFlight.Seen(change.Key);
                    continue;
                }

                // The filter admitted it as provisionable; a merged later change may say otherwise.
                if (change.Pod is { } pod && Provisionable.Is(pod))
                {
                    _batcher.Add(pod.Key);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.ResyncInterval, _time, cancellationToken).ConfigureAwait(false);
                EnqueuePending();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private enum BindOutcome
    {
        Bound,
        Skipped,
        Retry,
    }
}
