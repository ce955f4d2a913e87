using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.World;

/// <summary>The simulated cluster parts' log lines (event ids 8400-8449; the Auto Scaling groups and their nodes 8450-8479).</summary>
internal static partial class SandboxLog
{
    [LoggerMessage(EventId = 8400, EventName = "SchedulerPassFailed", Level = LogLevel.Warning,
        Message = "Sandbox scheduler: a pass failed and is tried again: {Reason}")]
    public static partial void SchedulerPassFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 8401, EventName = "BindRefused", Level = LogLevel.Information,
        Message = "Sandbox scheduler: the extender did not bind {PodNamespace}/{PodName} to {Node}: {Reason}")]
    public static partial void BindRefused(ILogger logger, string podNamespace, string podName, string node, string reason);

    [LoggerMessage(EventId = 8402, EventName = "KubeletPassFailed", Level = LogLevel.Warning,
        Message = "Sandbox kubelets: a round failed and is tried again: {Reason}")]
    public static partial void KubeletPassFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 8403, EventName = "NodeReady", Level = LogLevel.Information,
        Message = "Sandbox kubelet: node {Node} ({InstanceId}) registered and Ready")]
    public static partial void NodeReady(ILogger logger, string node, string instanceId);

    [LoggerMessage(EventId = 8404, EventName = "ApiRequestFailed", Level = LogLevel.Error,
        Message = "Sandbox API server: {Request} failed inside the stand-in")]
    public static partial void ApiRequestFailed(ILogger logger, string request, Exception exception);

    [LoggerMessage(EventId = 8450, EventName = "GroupDesiredSet", Level = LogLevel.Information,
        Message = "Sandbox Auto Scaling: group {Group} desired capacity {From} -> {To}")]
    public static partial void GroupDesiredSet(ILogger logger, string group, int from, int to);

    [LoggerMessage(EventId = 8451, EventName = "GroupInstanceLaunched", Level = LogLevel.Information,
        Message = "Sandbox Auto Scaling: group {Group} launched {InstanceId} ({InstanceType}, {Zone}, {CapacityType})")]
    public static partial void GroupInstanceLaunched(ILogger logger, string group, string instanceId, string instanceType, string zone, string capacityType);

    [LoggerMessage(EventId = 8452, EventName = "GroupLaunchFailed", Level = LogLevel.Warning,
        Message = "Sandbox Auto Scaling: group {Group} could not launch an instance ({Reason}); it tries again later")]
    public static partial void GroupLaunchFailed(ILogger logger, string group, string reason);

    [LoggerMessage(EventId = 8453, EventName = "GroupInstanceTerminating", Level = LogLevel.Information,
        Message = "Sandbox Auto Scaling: group {Group} terminating {InstanceId} ({Reason})")]
    public static partial void GroupInstanceTerminating(ILogger logger, string group, string instanceId, string reason);

    [LoggerMessage(EventId = 8454, EventName = "GroupNodeRegistered", Level = LogLevel.Information,
        Message = "Sandbox kubelet: node {Node} of group {Group} ({InstanceId}) registered itself")]
    public static partial void GroupNodeRegistered(ILogger logger, string node, string group, string instanceId);

    [LoggerMessage(EventId = 8455, EventName = "NodeOfGoneInstanceDeleted", Level = LogLevel.Information,
        Message = "Sandbox cloud node lifecycle: node {Node} deleted, its instance {InstanceId} is terminated")]
    public static partial void NodeOfGoneInstanceDeleted(ILogger logger, string node, string instanceId);
}
