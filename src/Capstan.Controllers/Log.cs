using Microsoft.Extensions.Logging;

namespace Capstan.Controllers;

/// <summary>The controllers' log lines (event ids 7xxx); the provisioning lines read as Karpenter's do.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, EventName = "FoundProvisionablePods", Level = LogLevel.Information,
        Message = "Found {Count} provisionable pod(s)")]
    public static partial void FoundProvisionablePods(this ILogger logger, int count);

    [LoggerMessage(EventId = 7002, EventName = "ComputedNewNodes", Level = LogLevel.Information,
        Message = "Computed {Nodes} new node(s) will fit {Pods} pod(s)")]
    public static partial void ComputedNewNodes(this ILogger logger, int nodes, int pods);

    [LoggerMessage(EventId = 7003, EventName = "ComputedInFlight", Level = LogLevel.Information,
        Message = "Computed {Pods} pod(s) will fit node(s) already in flight")]
    public static partial void ComputedInFlight(this ILogger logger, int pods);

    [LoggerMessage(EventId = 7004, EventName = "LaunchedInstance", Level = LogLevel.Information,
        Message = "Launched instance: {InstanceId}, hostname: {Hostname}, type: {InstanceType}, zone: {Zone}, capacityType: {CapacityType}")]
    public static partial void LaunchedInstance(this ILogger logger, string instanceId, string hostname, string instanceType, string zone, string capacityType);

    [LoggerMessage(EventId = 7005, EventName = "CreatedNode", Level = LogLevel.Information,
        Message = "Created node {Node} with {Pods} pods requesting {Requests} from types {Types}")]
    public static partial void CreatedNode(this ILogger logger, string node, int pods, string requests, string types);

    [LoggerMessage(EventId = 7006, EventName = "BoundPods", Level = LogLevel.Information,
        Message = "Bound {Pods} pod(s) to node {Node}")]
    public static partial void BoundPods(this ILogger logger, int pods, string node);

    [LoggerMessage(EventId = 7007, EventName = "CouldNotSchedule", Level = LogLevel.Information,
        Message = "Could not schedule pod {Pod}: {Reason}")]
    public static partial void CouldNotSchedule(this ILogger logger, string pod, string reason);

    [LoggerMessage(EventId = 7008, EventName = "NoCapacity", Level = LogLevel.Warning,
        Message = "Could not launch node claim {Claim}: no capacity in {Offerings}; its {Pods} pod(s) are planned again")]
    public static partial void NoCapacity(this ILogger logger, string claim, string offerings, int pods);

    [LoggerMessage(EventId = 7009, EventName = "LaunchRetrying", Level = LogLevel.Warning,
        Message = "Launching node claim {Claim} failed ({Reason}); trying again in {Delay} with the same token")]
    public static partial void LaunchRetrying(this ILogger logger, string claim, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 7010, EventName = "LaunchFailed", Level = LogLevel.Error,
        Message = "Launching node claim {Claim} failed ({Reason}); its {Pods} pod(s) are planned again")]
    public static partial void LaunchFailed(this ILogger logger, string claim, string reason, int pods);

    [LoggerMessage(EventId = 7011, EventName = "NodeCreateFailed", Level = LogLevel.Error,
        Message = "Creating node {Node} for instance {InstanceId} failed; it is adopted on the next pass")]
    public static partial void NodeCreateFailed(this ILogger logger, Exception exception, string node, string instanceId);

    [LoggerMessage(EventId = 7012, EventName = "BindFailed", Level = LogLevel.Warning,
        Message = "Binding pod {Pod} to node {Node} failed; it is planned again")]
    public static partial void BindFailed(this ILogger logger, Exception exception, string pod, string node);

    [LoggerMessage(EventId = 7013, EventName = "BindSkipped", Level = LogLevel.Debug,
        Message = "Not binding pod {Pod} to node {Node}: {Reason}")]
    public static partial void BindSkipped(this ILogger logger, string pod, string node, string reason);

    [LoggerMessage(EventId = 7018, EventName = "BindSkippedBound", Level = LogLevel.Debug,
        Message = "Not binding pod {Pod} to node {Node}: it is bound to {Current} already")]
    public static partial void BindSkippedBound(this ILogger logger, string pod, string node, string current);

    [LoggerMessage(EventId = 7019, EventName = "BindSkippedNoRoom", Level = LogLevel.Debug,
        Message = "Not binding pod {Pod} to node {Node}: insufficient {Resource} after the placements made meanwhile")]
    public static partial void BindSkippedNoRoom(this ILogger logger, string pod, string node, string resource);

    [LoggerMessage(EventId = 7014, EventName = "PassFailed", Level = LogLevel.Error,
        Message = "Provisioning pass failed; its pods are planned again in the next batch")]
    public static partial void PassFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7015, EventName = "ProvisionerUnusable", Level = LogLevel.Warning,
        Message = "Provisioner {Provisioner} cannot launch: {Problem}")]
    public static partial void ProvisionerUnusable(this ILogger logger, string provisioner, string problem);

    [LoggerMessage(EventId = 7016, EventName = "AdoptedInstance", Level = LogLevel.Information,
        Message = "Adopted instance {InstanceId} of node claim {Claim} as node {Node}")]
    public static partial void AdoptedInstance(this ILogger logger, string instanceId, string claim, string node);

    [LoggerMessage(EventId = 7017, EventName = "AdoptionFailed", Level = LogLevel.Warning,
        Message = "Looking for launched instances without a node failed; trying again on the next pass")]
    public static partial void AdoptionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7032, EventName = "LaunchDeferred", Level = LogLevel.Warning,
        Message = "Not launching for {Pods} pod(s) yet: instances this cluster launched earlier may still become their nodes; trying again in the next batch")]
    public static partial void LaunchDeferred(this ILogger logger, int pods);

    [LoggerMessage(EventId = 7020, EventName = "NodeInitialized", Level = LogLevel.Information,
        Message = "Initialized node {Node}: Ready, startup taints removed")]
    public static partial void NodeInitialized(this ILogger logger, string node);

    [LoggerMessage(EventId = 7021, EventName = "RegistrationTimedOut", Level = LogLevel.Warning,
        Message = "Node {Node} was not initialized within {Ttl}; deleting it and terminating its instance")]
    public static partial void RegistrationTimedOut(this ILogger logger, string node, TimeSpan ttl);

    [LoggerMessage(EventId = 7022, EventName = "TerminatedInstance", Level = LogLevel.Information,
        Message = "Terminated instance {ProviderId} of node {Node}")]
    public static partial void TerminatedInstance(this ILogger logger, string providerId, string node);

    [LoggerMessage(EventId = 7023, EventName = "NodeDeleted", Level = LogLevel.Information,
        Message = "Deleted node {Node}")]
    public static partial void NodeDeleted(this ILogger logger, string node);

    [LoggerMessage(EventId = 7024, EventName = "NodeActionFailed", Level = LogLevel.Warning,
        Message = "{Action} for node {Node} failed; trying again")]
    public static partial void NodeActionFailed(this ILogger logger, Exception exception, string action, string node);

    [LoggerMessage(EventId = 7030, EventName = "ProvisionerStatusPatched", Level = LogLevel.Debug,
        Message = "Provisioner {Provisioner} status.resources = {Resources}")]
    public static partial void ProvisionerStatusPatched(this ILogger logger, string provisioner, string resources);

    [LoggerMessage(EventId = 7031, EventName = "StatusPatchFailed", Level = LogLevel.Warning,
        Message = "Updating the status of provisioner {Provisioner} failed; trying again on the next change")]
    public static partial void StatusPatchFailed(this ILogger logger, Exception exception, string provisioner);

    [LoggerMessage(EventId = 7040, EventName = "ControllerStarted", Level = LogLevel.Information,
        Message = "Controller {Controller} started")]
    public static partial void ControllerStarted(this ILogger logger, string controller);

    [LoggerMessage(EventId = 7041, EventName = "ControllerCrashed", Level = LogLevel.Error,
        Message = "Controller {Controller} stopped unexpectedly; restarting it in {Delay}")]
    public static partial void ControllerCrashed(this ILogger logger, Exception exception, string controller, TimeSpan delay);

    [LoggerMessage(EventId = 7042, EventName = "ControllersStopped", Level = LogLevel.Information,
        Message = "Controllers stopped")]
    public static partial void ControllersStopped(this ILogger logger);

    [LoggerMessage(EventId = 7200, EventName = "DisruptionPassFailed", Level = LogLevel.Error,
        Message = "Disruption pass failed; trying again on the next one")]
    public static partial void DisruptionPassFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7201, EventName = "NodeEmpty", Level = LogLevel.Information,
        Message = "Added TTL to empty node {Node}")]
    public static partial void NodeEmpty(this ILogger logger, string node);

    [LoggerMessage(EventId = 7202, EventName = "TriggeringEmptyTermination", Level = LogLevel.Information,
        Message = "Triggering termination after {Seconds}s for empty node {Node}")]
    public static partial void TriggeringEmptyTermination(this ILogger logger, long seconds, string node);

    [LoggerMessage(EventId = 7203, EventName = "ExpiredNodeReplacing", Level = LogLevel.Information,
        Message = "Node {Node} has expired; provisioning a replacement for its {Pods} pod(s) before draining it")]
    public static partial void ExpiredNodeReplacing(this ILogger logger, string node, int pods);

    [LoggerMessage(EventId = 7204, EventName = "ExpiredNodeDeleted", Level = LogLevel.Information,
        Message = "Triggering termination for expired node {Node}")]
    public static partial void ExpiredNodeDeleted(this ILogger logger, string node);

    [LoggerMessage(EventId = 7205, EventName = "ConsolidationProposed", Level = LogLevel.Information,
        Message = "Consolidation candidate {Action}; confirming in {Delay}")]
    public static partial void ConsolidationProposed(this ILogger logger, string action, TimeSpan delay);

    [LoggerMessage(EventId = 7206, EventName = "Consolidating", Level = LogLevel.Information,
        Message = "Consolidating {Action}")]
    public static partial void Consolidating(this ILogger logger, string action);

    [LoggerMessage(EventId = 7207, EventName = "ConsolidationAbandoned", Level = LogLevel.Information,
        Message = "Abandoned consolidating {Nodes}: {Reason}")]
    public static partial void ConsolidationAbandoned(this ILogger logger, string nodes, string reason);

    // Termination (7100-7149).
    [LoggerMessage(EventId = 7100, EventName = "Cordoned", Level = LogLevel.Information,
        Message = "Cordoned node {Node}")]
    public static partial void Cordoned(this ILogger logger, string node);

    [LoggerMessage(EventId = 7101, EventName = "DrainingNode", Level = LogLevel.Information,
        Message = "Draining node {Node} ({Pods} pod(s))")]
    public static partial void DrainingNode(this ILogger logger, string node, int pods);

    [LoggerMessage(EventId = 7102, EventName = "EvictedPod", Level = LogLevel.Information,
        Message = "Evicted pod {Pod} from node {Node}")]
    public static partial void EvictedPod(this ILogger logger, string pod, string node);

    [LoggerMessage(EventId = 7103, EventName = "EvictionRefused", Level = LogLevel.Information,
        Message = "A disruption budget does not allow evicting pod {Pod} from node {Node} now; trying again in {Delay}")]
    public static partial void EvictionRefused(this ILogger logger, string pod, string node, TimeSpan delay);

    [LoggerMessage(EventId = 7104, EventName = "EvictionFailed", Level = LogLevel.Warning,
        Message = "Evicting pod {Pod} from node {Node} failed; trying again in {Delay}")]
    public static partial void EvictionFailed(this ILogger logger, Exception exception, string pod, string node, TimeSpan delay);

    [LoggerMessage(EventId = 7105, EventName = "DrainBlocked", Level = LogLevel.Warning,
        Message = "Draining node {Node} waits: pod(s) {Pods} have karpenter.sh/do-not-evict")]
    public static partial void DrainBlocked(this ILogger logger, string node, string pods);

    [LoggerMessage(EventId = 7106, EventName = "InstanceGone", Level = LogLevel.Information,
        Message = "The instance of node {Node} is already gone; deleting its {Pods} pod(s) instead of draining them")]
    public static partial void InstanceGone(this ILogger logger, string node, int pods);

    [LoggerMessage(EventId = 7107, EventName = "TerminationFailed", Level = LogLevel.Warning,
        Message = "Terminating node {Node} failed; trying again")]
    public static partial void TerminationFailed(this ILogger logger, Exception exception, string node);

    // Interruption and garbage collection: 7150-7199.
    [LoggerMessage(EventId = 7150, EventName = "InterruptionReceived", Level = LogLevel.Debug,
        Message = "Interruption message {MessageId}: {Kind} for instance(s) {Instances}")]
    public static partial void InterruptionReceived(this ILogger logger, string messageId, string kind, string instances);

    [LoggerMessage(EventId = 7151, EventName = "InterruptionIgnored", Level = LogLevel.Debug,
        Message = "Interruption message {MessageId} ({Kind}) is about instance(s) {Instances}, which run no node Capstan launched; deleting it")]
    public static partial void InterruptionIgnored(this ILogger logger, string messageId, string kind, string instances);

    [LoggerMessage(EventId = 7152, EventName = "RebalanceRecommended", Level = LogLevel.Information,
        Message = "EC2 recommends rebalancing node {Node} (instance {InstanceId}, spot at elevated risk of interruption); no action taken")]
    public static partial void RebalanceRecommended(this ILogger logger, string node, string instanceId);

    [LoggerMessage(EventId = 7153, EventName = "NodeInterrupted", Level = LogLevel.Warning,
        Message = "Node {Node} (instance {InstanceId}) is interrupted: {What}, deadline {Deadline}; replacing {Pods} pod(s) and deleting the node")]
    public static partial void NodeInterrupted(this ILogger logger, string node, string instanceId, string what, string deadline, int pods);

    [LoggerMessage(EventId = 7154, EventName = "OfferingMarkedUnavailable", Level = LogLevel.Information,
        Message = "Offering {InstanceType} ({CapacityType}) in {Zone} is not used for a while: {Reason}")]
    public static partial void OfferingMarkedUnavailable(this ILogger logger, string instanceType, string capacityType, string zone, string reason);

    [LoggerMessage(EventId = 7155, EventName = "InterruptionAlreadyHandled", Level = LogLevel.Debug,
        Message = "Node {Node} is already being deleted for an interruption; message {MessageId} ({Kind}) changes nothing")]
    public static partial void InterruptionAlreadyHandled(this ILogger logger, string node, string messageId, string kind);

    [LoggerMessage(EventId = 7156, EventName = "InterruptionFailed", Level = LogLevel.Warning,
        Message = "Handling interruption message {MessageId} ({Kind}) failed; the queue delivers it again after its visibility timeout")]
    public static partial void InterruptionFailed(this ILogger logger, Exception exception, string messageId, string kind);

    [LoggerMessage(EventId = 7157, EventName = "InterruptionCompleteFailed", Level = LogLevel.Warning,
        Message = "Deleting handled interruption message {MessageId} from the queue failed; it is delivered and handled again")]
    public static partial void InterruptionCompleteFailed(this ILogger logger, Exception exception, string messageId);

    [LoggerMessage(EventId = 7158, EventName = "InterruptionReceiveFailed", Level = LogLevel.Warning,
        Message = "Reading the interruption queue failed; trying again in {Delay}")]
    public static partial void InterruptionReceiveFailed(this ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 7159, EventName = "OfferingUnknown", Level = LogLevel.Debug,
        Message = "Node {Node} lacks the instance type, zone or capacity type label; its offering is not marked unavailable")]
    public static partial void OfferingUnknown(this ILogger logger, string node);

    [LoggerMessage(EventId = 7160, EventName = "EventFailed", Level = LogLevel.Warning,
        Message = "Recording event {Reason} on {Kind} {Name} failed")]
    public static partial void EventFailed(this ILogger logger, Exception exception, string reason, string kind, string name);

    [LoggerMessage(EventId = 7170, EventName = "LeakedInstanceTerminated", Level = LogLevel.Warning,
        Message = "Terminated instance {InstanceId} of node claim {Claim}: launched {Age} ago and no node has it")]
    public static partial void LeakedInstanceTerminated(this ILogger logger, string instanceId, string claim, TimeSpan age);

    [LoggerMessage(EventId = 7171, EventName = "OrphanedNodeDeleted", Level = LogLevel.Warning,
        Message = "Deleting node {Node}: its instance {ProviderId} is {State}")]
    public static partial void OrphanedNodeDeleted(this ILogger logger, string node, string providerId, string state);

    [LoggerMessage(EventId = 7172, EventName = "GarbageCollectionFailed", Level = LogLevel.Warning,
        Message = "Garbage collection stopped early because a cloud call failed; the next pass, in {Interval}, tries again")]
    public static partial void GarbageCollectionFailed(this ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(EventId = 7173, EventName = "GarbageCollected", Level = LogLevel.Debug,
        Message = "Garbage collection looked at {Instances} instance(s) and {Nodes} node(s): {Leaked} leaked instance(s) terminated, {Orphaned} orphaned node(s) deleted")]
    public static partial void GarbageCollected(this ILogger logger, int instances, int nodes, int leaked, int orphaned);

    [LoggerMessage(EventId = 7174, EventName = "OrphanedNodeDeleteFailed", Level = LogLevel.Warning,
        Message = "Deleting orphaned node {Node} failed; the next pass tries again")]
    public static partial void OrphanedNodeDeleteFailed(this ILogger logger, Exception exception, string node);

    [LoggerMessage(EventId = 7175, EventName = "GarbageCollectionPassFailed", Level = LogLevel.Error,
        Message = "Garbage collection pass failed; the next pass, in {Interval}, tries again")]
    public static partial void GarbageCollectionPassFailed(this ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(EventId = 7301, EventName = "NodeGroupDiscovered", Level = LogLevel.Information,
        Message = "Discovered node group {Group} (min {Min}, desired {Desired}, max {Max}; types {Types}; {CapacityType})")]
    public static partial void NodeGroupDiscovered(this ILogger logger, string group, int min, int desired, int max, string types, string capacityType);

    [LoggerMessage(EventId = 7302, EventName = "NodeGroupTagProblem", Level = LogLevel.Warning,
        Message = "Node group {Group}: {Problem}")]
    public static partial void NodeGroupTagProblem(this ILogger logger, string group, string problem);

    [LoggerMessage(EventId = 7303, EventName = "NodeGroupDiscoveryFailed", Level = LogLevel.Warning,
        Message = "Listing the node groups failed ({Reason}); the last listing stays in use")]
    public static partial void NodeGroupDiscoveryFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 7304, EventName = "NodeGroupScaleUp", Level = LogLevel.Information,
        Message = "Scaling node group {Group} from {From} to {To} for {Pods} pod(s)")]
    public static partial void NodeGroupScaleUp(this ILogger logger, string group, int from, int to, int pods);

    [LoggerMessage(EventId = 7305, EventName = "NodeGroupScaleUpFailed", Level = LogLevel.Warning,
        Message = "Scaling node group {Group} from {From} to {To} failed ({Reason}); its {Pods} pod(s) are planned again")]
    public static partial void NodeGroupScaleUpFailed(this ILogger logger, string group, int from, int to, string reason, int pods);

    [LoggerMessage(EventId = 7306, EventName = "NodeGroupScaleUpTimedOut", Level = LogLevel.Warning,
        Message = "Node group {Group}: {Missing} node(s) asked for did not become Ready within {Timeout}; they no longer hold pods back, and the group gets no scale-up for {Backoff}")]
    public static partial void NodeGroupScaleUpTimedOut(this ILogger logger, string group, int missing, TimeSpan timeout, TimeSpan backoff);

    [LoggerMessage(EventId = 7313, EventName = "NodeGroupTargetLowered", Level = LogLevel.Information,
        Message = "Lowering node group {Group} from {From} to {To}: the capacity that did not come is no longer asked for")]
    public static partial void NodeGroupTargetLowered(this ILogger logger, string group, int from, int to);

    [LoggerMessage(EventId = 7314, EventName = "NodeGroupTargetLowerFailed", Level = LogLevel.Warning,
        Message = "Lowering node group {Group} from {From} to {To} failed ({Reason}); its desired capacity stays")]
    public static partial void NodeGroupTargetLowerFailed(this ILogger logger, string group, int from, int to, string reason);

    [LoggerMessage(EventId = 7315, EventName = "NodeGroupBackedOff", Level = LogLevel.Warning,
        Message = "Node group {Group} refused a scale-up ({Reason}); it gets no scale-up for {Backoff}")]
    public static partial void NodeGroupBackedOff(this ILogger logger, string group, string reason, TimeSpan backoff);

    [LoggerMessage(EventId = 7307, EventName = "NodeGroupNodeUnneeded", Level = LogLevel.Information,
        Message = "Node {Node} of node group {Group} is unneeded ({Why})")]
    public static partial void NodeGroupNodeUnneeded(this ILogger logger, string node, string group, string why);

    [LoggerMessage(EventId = 7308, EventName = "NodeGroupScaleDown", Level = LogLevel.Information,
        Message = "Scaling node group {Group} from {From} to {To}: removing node {Node} ({Why})")]
    public static partial void NodeGroupScaleDown(this ILogger logger, string group, int from, int to, string node, string why);

    [LoggerMessage(EventId = 7309, EventName = "NodeGroupScaleDownFailed", Level = LogLevel.Warning,
        Message = "Removing node {Node} from node group {Group} failed ({Reason}); scale-down pauses for {Delay}")]
    public static partial void NodeGroupScaleDownFailed(this ILogger logger, string node, string group, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 7310, EventName = "NodeGroupInstanceRemoved", Level = LogLevel.Information,
        Message = "Removed instance {InstanceId} of node {Node} from node group {Group}, lowering its desired capacity")]
    public static partial void NodeGroupInstanceRemoved(this ILogger logger, string instanceId, string node, string group);

    [LoggerMessage(EventId = 7311, EventName = "NodeGroupRefreshFailed", Level = LogLevel.Warning,
        Message = "Node-group refresh pass failed")]
    public static partial void NodeGroupRefreshFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7312, EventName = "NodeGroupScaleDownPassFailed", Level = LogLevel.Warning,
        Message = "Node-group scale-down pass failed")]
    public static partial void NodeGroupScaleDownPassFailed(this ILogger logger, Exception exception);
}
