using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.World;

/// <summary>The sandbox workload controllers' log lines (event ids 8350-8399).</summary>
internal static partial class WorkloadLog
{
    [LoggerMessage(EventId = 8350, EventName = "WorkloadControllersStarted", Level = LogLevel.Information,
        Message = "Workload controllers started: Deployments, ReplicaSets, StatefulSets, Jobs, DaemonSet status, disruption budgets and garbage collection, resyncing every {Resync}")]
    public static partial void WorkloadControllersStarted(this ILogger logger, TimeSpan resync);

    [LoggerMessage(EventId = 8351, EventName = "PodsCreated", Level = LogLevel.Debug,
        Message = "{Kind} {Namespace}/{Name} created {Count} pods")]
    public static partial void PodsCreated(this ILogger logger, string kind, string @namespace, string name, int count);

    [LoggerMessage(EventId = 8352, EventName = "PodsDeleted", Level = LogLevel.Debug,
        Message = "{Kind} {Namespace}/{Name} deleted {Count} pods")]
    public static partial void PodsDeleted(this ILogger logger, string kind, string @namespace, string name, int count);

    [LoggerMessage(EventId = 8353, EventName = "ReplicaSetCreated", Level = LogLevel.Information,
        Message = "Deployment {Namespace}/{Deployment} created ReplicaSet {ReplicaSet} for its pod template (revision {Revision})")]
    public static partial void ReplicaSetCreated(this ILogger logger, string @namespace, string deployment, string replicaSet, long revision);

    [LoggerMessage(EventId = 8354, EventName = "ReplicaSetScaled", Level = LogLevel.Debug,
        Message = "Deployment {Namespace}/{Deployment} scaled ReplicaSet {ReplicaSet} from {From} to {To}")]
    public static partial void ReplicaSetScaled(this ILogger logger, string @namespace, string deployment, string replicaSet, int from, int to);

    [LoggerMessage(EventId = 8355, EventName = "GarbageCollected", Level = LogLevel.Debug,
        Message = "Deleted {Kind} {Namespace}/{Name}: its owner {OwnerKind} {OwnerName} no longer exists")]
    public static partial void GarbageCollected(this ILogger logger, string kind, string? @namespace, string name, string ownerKind, string ownerName);

    [LoggerMessage(EventId = 8356, EventName = "OrphanedPodDeleted", Level = LogLevel.Information,
        Message = "Deleted pod {Namespace}/{Name} at once: the node {Node} it was bound to no longer exists")]
    public static partial void OrphanedPodDeleted(this ILogger logger, string @namespace, string name, string node);

    [LoggerMessage(EventId = 8357, EventName = "WriteRaced", Level = LogLevel.Debug,
        Message = "Another writer changed {Kind} {Name} first ({Reason}); looking at it again next pass")]
    public static partial void WriteRaced(this ILogger logger, string kind, string name, string reason);

    [LoggerMessage(EventId = 8358, EventName = "WriteRefused", Level = LogLevel.Warning,
        Message = "The API refused a write for {Kind} {Name}: {Message}; trying again next pass")]
    public static partial void WriteRefused(this ILogger logger, string kind, string name, string message);

    [LoggerMessage(EventId = 8359, EventName = "PassFailed", Level = LogLevel.Error,
        Message = "A workload controller pass over {Kind} failed; the next pass tries again")]
    public static partial void PassFailed(this ILogger logger, Exception exception, string kind);

    [LoggerMessage(EventId = 8360, EventName = "JobFinished", Level = LogLevel.Information,
        Message = "Job {Namespace}/{Name} {Outcome}: {Succeeded} succeeded, {Failed} failed")]
    public static partial void JobFinished(this ILogger logger, string @namespace, string name, string outcome, int succeeded, int failed);

    [LoggerMessage(EventId = 8361, EventName = "FinishedJobExpired", Level = LogLevel.Information,
        Message = "Deleted Job {Namespace}/{Name}: finished longer ago than its ttlSecondsAfterFinished ({Ttl} s)")]
    public static partial void FinishedJobExpired(this ILogger logger, string @namespace, string name, long ttl);

    [LoggerMessage(EventId = 8362, EventName = "WatchReopened", Level = LogLevel.Debug,
        Message = "The workload controllers' watch of {Resource} ended; watching again from the current version")]
    public static partial void WatchReopened(this ILogger logger, string resource);
}
