using Microsoft.Extensions.Logging;

namespace Capstan.Aws;

/// <summary>The AWS adapter's log lines (event ids 5xxx: read side 5100-5199, launch and instances 5200-5299, interruption 5300-5399, node groups 5400-5449).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5100, EventName = "ReadTemplateResolved", Level = LogLevel.Debug,
        Message = "Node template {Template} resolved: {Subnets} subnets in {Zones}, {SecurityGroups} security groups, AMIs {Amis}")]
    public static partial void ReadTemplateResolved(this ILogger logger, string template, int subnets, string zones, int securityGroups, string amis);

    [LoggerMessage(EventId = 5101, EventName = "ReadAmiParameterMissing", Level = LogLevel.Debug,
        Message = "SSM parameter {Parameter} does not exist; the {Family} family has no {Key} AMI for Kubernetes {Version}")]
    public static partial void ReadAmiParameterMissing(this ILogger logger, string parameter, string family, string key, string version);

    [LoggerMessage(EventId = 5110, EventName = "ReadInstanceTypesRefreshed", Level = LogLevel.Information,
        Message = "Instance types refreshed: {Types} types offered in {Zones} ({Offerings} offerings)")]
    public static partial void ReadInstanceTypesRefreshed(this ILogger logger, int types, string zones, int offerings);

    [LoggerMessage(EventId = 5111, EventName = "ReadSpotPricesRefreshed", Level = LogLevel.Debug,
        Message = "Spot prices refreshed: {Prices} (type, zone) prices")]
    public static partial void ReadSpotPricesRefreshed(this ILogger logger, int prices);

    [LoggerMessage(EventId = 5112, EventName = "ReadSpotPricesFallback", Level = LogLevel.Warning,
        Message = "Spot prices could not be read ({Reason}); using the built-in catalog's estimates")]
    public static partial void ReadSpotPricesFallback(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5120, EventName = "ReadOnDemandPricesRefreshed", Level = LogLevel.Information,
        Message = "On-demand prices for {Region} read from the AWS Price List API: {Prices} instance types")]
    public static partial void ReadOnDemandPricesRefreshed(this ILogger logger, string region, int prices);

    [LoggerMessage(EventId = 5121, EventName = "ReadOnDemandPricesFallback", Level = LogLevel.Warning,
        Message = "On-demand prices could not be read from the AWS Price List API ({Reason}); using the built-in catalog's prices")]
    public static partial void ReadOnDemandPricesFallback(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5122, EventName = "ReadPriceListEntrySkipped", Level = LogLevel.Debug,
        Message = "A Price List entry was skipped: {Reason}")]
    public static partial void ReadPriceListEntrySkipped(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5200, EventName = "LaunchLaunched", Level = LogLevel.Information,
        Message = "Launched instance: {InstanceId}, hostname: {Hostname}, type: {InstanceType}, zone: {Zone}, capacityType: {CapacityType}")]
    public static partial void LaunchLaunched(this ILogger logger, string instanceId, string hostname, string instanceType, string zone, string capacityType);

    [LoggerMessage(EventId = 5201, EventName = "LaunchTemplateCreated", Level = LogLevel.Information,
        Message = "Created launch template {LaunchTemplateName} ({LaunchTemplateId})")]
    public static partial void LaunchTemplateCreated(this ILogger logger, string launchTemplateName, string launchTemplateId);

    [LoggerMessage(EventId = 5202, EventName = "LaunchTemplateAlreadyExists", Level = LogLevel.Information,
        Message = "Launch template {LaunchTemplateName} already exists (made by another replica or before a restart); using it")]
    public static partial void LaunchTemplateAlreadyExists(this ILogger logger, string launchTemplateName);

    [LoggerMessage(EventId = 5203, EventName = "LaunchOfferingUnavailable", Level = LogLevel.Information,
        Message = "Offering {CapacityType} {InstanceType} in {Zone} had no capacity ({Code}); avoiding it for a while")]
    public static partial void LaunchOfferingUnavailable(this ILogger logger, string capacityType, string instanceType, string zone, string code);

    [LoggerMessage(EventId = 5204, EventName = "LaunchInsufficientCapacity", Level = LogLevel.Warning,
        Message = "No capacity for node claim {NodeClaim}: all {Count} {CapacityType} offerings failed")]
    public static partial void LaunchInsufficientCapacity(this ILogger logger, string nodeClaim, int count, string capacityType);

    [LoggerMessage(EventId = 5205, EventName = "LaunchNoOffering", Level = LogLevel.Warning,
        Message = "Node claim {NodeClaim} has no {CapacityType} offering available in the template's zones; nothing was launched")]
    public static partial void LaunchNoOffering(this ILogger logger, string nodeClaim, string capacityType);

    [LoggerMessage(EventId = 5206, EventName = "LaunchInstanceNotVisibleYet", Level = LogLevel.Debug,
        Message = "Instance {InstanceId} is not described yet (attempt {Attempt}); waiting")]
    public static partial void LaunchInstanceNotVisibleYet(this ILogger logger, string instanceId, int attempt);

    [LoggerMessage(EventId = 5207, EventName = "LaunchAlreadyLaunched", Level = LogLevel.Information,
        Message = "Node claim {NodeClaim} was launched before (same idempotency token, other overrides) as {InstanceId}; using that instance")]
    public static partial void LaunchAlreadyLaunched(this ILogger logger, string nodeClaim, string instanceId);

    [LoggerMessage(EventId = 5208, EventName = "LaunchTemplateGone", Level = LogLevel.Warning,
        Message = "Launch template {LaunchTemplateName} no longer exists; making it again")]
    public static partial void LaunchTemplateGone(this ILogger logger, string launchTemplateName);

    [LoggerMessage(EventId = 5209, EventName = "LaunchDnsNameMissing", Level = LogLevel.Warning,
        Message = "Instance {InstanceId} has no private DNS name after {Attempts} looks; the node name will be learnt when it registers")]
    public static partial void LaunchDnsNameMissing(this ILogger logger, string instanceId, int attempts);

    [LoggerMessage(EventId = 5210, EventName = "InstanceTerminating", Level = LogLevel.Information,
        Message = "Terminating instance {InstanceId}: {PreviousState} -> {CurrentState}")]
    public static partial void InstanceTerminating(this ILogger logger, string instanceId, string previousState, string currentState);

    [LoggerMessage(EventId = 5211, EventName = "InstanceAlreadyGone", Level = LogLevel.Information,
        Message = "Instance {InstanceId} is already gone")]
    public static partial void InstanceAlreadyGone(this ILogger logger, string instanceId);

    // 5300-5399: the interruption queue.
    [LoggerMessage(EventId = 5301, EventName = "InterruptionQueueResolved", Level = LogLevel.Information,
        Message = "Interruption queue {Queue} is {QueueUrl}")]
    public static partial void InterruptionQueueResolved(this ILogger logger, string queue, string queueUrl);

    [LoggerMessage(EventId = 5302, EventName = "InterruptionMessageUnreadable", Level = LogLevel.Warning,
        Message = "Interruption queue message {MessageId} was deleted unread: {Reason}")]
    public static partial void InterruptionMessageUnreadable(this ILogger logger, string messageId, string reason);

    [LoggerMessage(EventId = 5303, EventName = "InterruptionMessageUnknown", Level = LogLevel.Warning,
        Message = "Interruption queue message {MessageId} was deleted: it is a {Source} \"{DetailType}\" event, which Capstan does not handle")]
    public static partial void InterruptionMessageUnknown(this ILogger logger, string messageId, string source, string detailType);

    [LoggerMessage(EventId = 5304, EventName = "InterruptionStateIgnored", Level = LogLevel.Information,
        Message = "Instance {InstanceId} changed to state {State}, which is not an interruption; message {MessageId} deleted")]
    public static partial void InterruptionStateIgnored(this ILogger logger, string instanceId, string state, string messageId);

    [LoggerMessage(EventId = 5305, EventName = "InterruptionHealthIgnored", Level = LogLevel.Information,
        Message = "AWS Health event of service {Service}, category {Category} is not an EC2 scheduled change; message {MessageId} deleted")]
    public static partial void InterruptionHealthIgnored(this ILogger logger, string service, string category, string messageId);

    [LoggerMessage(EventId = 5306, EventName = "InterruptionDiscardFailed", Level = LogLevel.Warning,
        Message = "Deleting {Count} unusable interruption messages failed ({Reason}); they come back after their visibility timeout and are deleted then")]
    public static partial void InterruptionDiscardFailed(this ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 5307, EventName = "InterruptionReceived", Level = LogLevel.Debug,
        Message = "Interruption queue gave {Messages} messages: {Events} interruption events, {Discarded} deleted unused")]
    public static partial void InterruptionReceived(this ILogger logger, int messages, int events, int discarded);

    // 5400-5449: Auto Scaling node groups.
    [LoggerMessage(EventId = 5400, EventName = "NodeGroupsDiscovered", Level = LogLevel.Debug,
        Message = "{Groups} node groups carry the discovery tags ({WithTypes} with instance types to plan with)")]
    public static partial void NodeGroupsDiscovered(this ILogger logger, int groups, int withTypes);

    [LoggerMessage(EventId = 5401, EventName = "NodeGroupTypesUnresolved", Level = LogLevel.Warning,
        Message = "Node group {Group} has no instance type to plan with, so it is not scaled up: {Reason}")]
    public static partial void NodeGroupTypesUnresolved(this ILogger logger, string group, string reason);

    [LoggerMessage(EventId = 5402, EventName = "NodeGroupTagProblem", Level = LogLevel.Warning,
        Message = "Node group {Group}: {Problem}; the tag is ignored")]
    public static partial void NodeGroupTagProblem(this ILogger logger, string group, string problem);

    [LoggerMessage(EventId = 5403, EventName = "NodeGroupDesiredCapacitySet", Level = LogLevel.Information,
        Message = "Node group {Group}: desired capacity set to {DesiredCapacity}")]
    public static partial void NodeGroupDesiredCapacitySet(this ILogger logger, string group, int desiredCapacity);

    [LoggerMessage(EventId = 5404, EventName = "NodeGroupInstanceTerminating", Level = LogLevel.Information,
        Message = "Instance {InstanceId} is leaving its node group (activity {ActivityId}: {Description})")]
    public static partial void NodeGroupInstanceTerminating(this ILogger logger, string instanceId, string activityId, string description);

    [LoggerMessage(EventId = 5405, EventName = "NodeGroupInstanceAlreadyGone", Level = LogLevel.Information,
        Message = "Instance {InstanceId} is in no node group any more; nothing to terminate")]
    public static partial void NodeGroupInstanceAlreadyGone(this ILogger logger, string instanceId);
}
