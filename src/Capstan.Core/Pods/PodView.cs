namespace Capstan.Core.Pods;

/// <summary>
/// A pod with its lifecycle, as a controller reads it: what the packing core needs (<see cref="Request"/>) plus
/// where it is in scheduling (bound or not, the <c>PodScheduled</c> condition, nomination), who owns it and whether it
/// is going away.
/// </summary>
public sealed record PodView
{
    /// <summary>The <c>PodScheduled</c> condition's reason when kube-scheduler found no node for the pod.</summary>
    public const string UnschedulableReason = "Unschedulable";

    /// <summary>kube-scheduler's name, the default of <c>spec.schedulerName</c>.</summary>
    public const string DefaultScheduler = "default-scheduler";

    public required PodRequest Request { get; init; }

    /// <summary><c>spec.nodeName</c>; null while the pod is not bound.</summary>
    public string? NodeName { get; init; }

    /// <summary><c>status.phase</c> (Pending, Running, ...).</summary>
    public string Phase { get; init; } = "Pending";

    /// <summary>Status of the <c>PodScheduled</c> condition (True, False, Unknown); null while the pod has none.</summary>
    public string? ScheduledStatus { get; init; }

    /// <summary>Reason of the <c>PodScheduled</c> condition (<see cref="UnschedulableReason"/>, SchedulingGated, ...).</summary>
    public string? ScheduledReason { get; init; }

    /// <summary><c>spec.schedulerName</c>.</summary>
    public string SchedulerName { get; init; } = DefaultScheduler;

    /// <summary>Kind of the controlling owner reference (ReplicaSet, DaemonSet, Node, ...); null for a pod nobody owns.</summary>
    public string? OwnerKind { get; init; }

    public string? OwnerName { get; init; }

    /// <summary><c>status.nominatedNodeName</c>: preemption made room for the pod there.</summary>
    public string? NominatedNodeName { get; init; }

    /// <summary><c>metadata.deletionTimestamp</c>: the pod is terminating.</summary>
    public DateTimeOffset? DeletionTimestamp { get; init; }

    /// <summary><c>spec.priority</c>, resolved by admission from the priority class.</summary>
    public int? Priority { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public string Key => Request.Key;

    /// <summary>Bound to a node.</summary>
    public bool IsBound => NodeName is not null;

    /// <summary>kube-scheduler tried and found no node: <c>PodScheduled=False</c>, reason <c>Unschedulable</c>.</summary>
    public bool IsUnschedulable => ScheduledStatus == "False" && ScheduledReason == UnschedulableReason;

    public override string ToString() => Key;
}
