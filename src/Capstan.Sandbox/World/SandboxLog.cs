using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.World;

/// <summary>The simulated cluster parts' log lines (event ids 8400-8449).</summary>
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
}
