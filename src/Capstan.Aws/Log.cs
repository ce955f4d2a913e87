using Microsoft.Extensions.Logging;

namespace Capstan.Aws;

/// <summary>Capstan.Aws's log lines (event ids 5xxx; launch and instances 5200-5299).</summary>
internal static partial class Log
{
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
}
