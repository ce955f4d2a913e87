using Microsoft.Extensions.Logging;

namespace Capstan.Kubernetes;

/// <summary>The Kubernetes adapters' log lines (event ids 4xxx, 61xx; leader election 64xx).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, EventName = "CacheListed", Level = LogLevel.Information,
        Message = "Cluster cache listed {Count} {Resource} at resourceVersion {ResourceVersion}")]
    public static partial void CacheListed(this ILogger logger, int count, string resource, string resourceVersion);

    [LoggerMessage(EventId = 4002, EventName = "CacheSynced", Level = LogLevel.Information,
        Message = "Cluster cache synced: {Nodes} nodes, {Pods} pods, {Provisioners} provisioners")]
    public static partial void CacheSynced(this ILogger logger, int nodes, int pods, int provisioners);

    [LoggerMessage(EventId = 4003, EventName = "WatchExpired", Level = LogLevel.Information,
        Message = "Watch of {Resource} expired (410 Gone at resourceVersion {ResourceVersion}); listing again in {Delay}")]
    public static partial void WatchExpired(this ILogger logger, string resource, string resourceVersion, TimeSpan delay);

    [LoggerMessage(EventId = 4004, EventName = "WatchFailed", Level = LogLevel.Warning,
        Message = "List or watch of {Resource} failed; listing again in {Delay}")]
    public static partial void WatchFailed(this ILogger logger, Exception exception, string resource, TimeSpan delay);

    [LoggerMessage(EventId = 4005, EventName = "ProvisionerCrdMissing", Level = LogLevel.Warning,
        Message = "The karpenter.sh/v1alpha5 Provisioner CRD is not installed (404); serving no provisioners, listing again in {Delay}")]
    public static partial void ProvisionerCrdMissing(this ILogger logger, TimeSpan delay);

    [LoggerMessage(EventId = 4006, EventName = "ObjectSkipped", Level = LogLevel.Warning,
        Message = "Cluster cache skipped {Resource} {Name}: {Reason}")]
    public static partial void ObjectSkipped(this ILogger logger, string resource, string name, string reason);

    [LoggerMessage(EventId = 4007, EventName = "WatchClosed", Level = LogLevel.Debug,
        Message = "Watch of {Resource} closed by the server after {Events} events; resuming from resourceVersion {ResourceVersion}")]
    public static partial void WatchClosed(this ILogger logger, string resource, int events, string resourceVersion);

    [LoggerMessage(EventId = 6100, EventName = "NodeTemplateCrdMissing", Level = LogLevel.Warning,
        Message = "The karpenter.k8s.aws/v1alpha1 AWSNodeTemplate CRD is not installed (404); serving no node templates, listing again in {Delay}")]
    public static partial void NodeTemplateCrdMissing(this ILogger logger, TimeSpan delay);

    [LoggerMessage(EventId = 6101, EventName = "NodeTemplatesNotWatched", Level = LogLevel.Information,
        Message = "Cluster cache has no AWSNodeTemplate converter; AWSNodeTemplates are not watched")]
    public static partial void NodeTemplatesNotWatched(this ILogger logger);

    [LoggerMessage(EventId = 6102, EventName = "CacheSyncedKinds", Level = LogLevel.Information,
        Message = "Cluster cache synced: {NodeTemplates} node templates, {DaemonSets} daemonsets, {Namespaces} namespaces, {DisruptionBudgets} disruption budgets")]
    public static partial void CacheSyncedKinds(this ILogger logger, int nodeTemplates, int daemonSets, int namespaces, int disruptionBudgets);

    [LoggerMessage(EventId = 6401, EventName = "BecameLeader", Level = LogLevel.Information,
        Message = "Became leader (lease {Namespace}/{Lease}, identity {Identity})")]
    public static partial void BecameLeader(this ILogger logger, string @namespace, string lease, string identity);

    [LoggerMessage(EventId = 6402, EventName = "LostLeadership", Level = LogLevel.Warning,
        Message = "Lost leadership (lease {Namespace}/{Lease}, identity {Identity}): {Reason}")]
    public static partial void LostLeadership(this ILogger logger, string @namespace, string lease, string identity, string reason);

    [LoggerMessage(EventId = 6403, EventName = "LeaderObserved", Level = LogLevel.Information,
        Message = "Leader is {Holder} (lease {Namespace}/{Lease})")]
    public static partial void LeaderObserved(this ILogger logger, string holder, string @namespace, string lease);

    [LoggerMessage(EventId = 6404, EventName = "LeaseReleased", Level = LogLevel.Information,
        Message = "Released the lease {Namespace}/{Lease} (identity {Identity})")]
    public static partial void LeaseReleased(this ILogger logger, string @namespace, string lease, string identity);

    [LoggerMessage(EventId = 6405, EventName = "LeaderWorkFailed", Level = LogLevel.Error,
        Message = "The leader's work failed; giving up the lease {Namespace}/{Lease} and trying to acquire it again in {Delay}")]
    public static partial void LeaderWorkFailed(this ILogger logger, Exception exception, string @namespace, string lease, TimeSpan delay);

    [LoggerMessage(EventId = 6406, EventName = "LeaseRenewFailed", Level = LogLevel.Warning,
        Message = "Renewing the lease {Namespace}/{Lease} failed ({Failure}); leadership is lost unless a renewal succeeds within {Remaining}")]
    public static partial void LeaseRenewFailed(this ILogger logger, Exception? exception, string @namespace, string lease, string failure, TimeSpan remaining);

    [LoggerMessage(EventId = 6407, EventName = "LeaseAcquireFailed", Level = LogLevel.Debug,
        Message = "Acquiring the lease {Namespace}/{Lease} failed ({Failure}); trying again in {Delay}")]
    public static partial void LeaseAcquireFailed(this ILogger logger, Exception? exception, string @namespace, string lease, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 6408, EventName = "LeaseReleaseFailed", Level = LogLevel.Warning,
        Message = "Releasing the lease {Namespace}/{Lease} failed ({Failure}); another replica takes over once it expires")]
    public static partial void LeaseReleaseFailed(this ILogger logger, Exception? exception, string @namespace, string lease, string failure);

    [LoggerMessage(EventId = 6409, EventName = "LeaderWorkEnded", Level = LogLevel.Warning,
        Message = "The leader's work returned while still leading; giving up the lease {Namespace}/{Lease} and trying to acquire it again in {Delay}")]
    public static partial void LeaderWorkEnded(this ILogger logger, string @namespace, string lease, TimeSpan delay);

    [LoggerMessage(EventId = 6501, EventName = "ExpanderPrioritiesProblem", Level = LogLevel.Warning,
        Message = "Priority expander: {Problem}")]
    public static partial void ExpanderPrioritiesProblem(this ILogger logger, string problem);
}
