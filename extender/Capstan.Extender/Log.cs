using Microsoft.Extensions.Logging;

namespace Capstan.Extender;

/// <summary>The extender's log lines (event ids 3xxx).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, EventName = "FilterDecided", Level = LogLevel.Debug,
        Message = "Filter for pod {PodKey}: {Kept} of {Candidates} nodes kept")]
    public static partial void FilterDecided(this ILogger logger, string podKey, int kept, int candidates);

    [LoggerMessage(EventId = 3002, EventName = "AllNodesRejected", Level = LogLevel.Information,
        Message = "Filter rejected every one of {Candidates} candidate nodes for pod {PodKey}; triggering provisioning")]
    public static partial void AllNodesRejected(this ILogger logger, string podKey, int candidates);

    [LoggerMessage(EventId = 3003, EventName = "CacheNotSynced", Level = LogLevel.Warning,
        Message = "Filter for pod {PodKey} refused: the cluster cache is not synced yet")]
    public static partial void CacheNotSynced(this ILogger logger, string podKey);

    [LoggerMessage(EventId = 3004, EventName = "BadRequest", Level = LogLevel.Information,
        Message = "Rejected extender {Verb} request: {Reason}")]
    public static partial void BadRequest(this ILogger logger, string verb, string reason);

    [LoggerMessage(EventId = 3010, EventName = "PodBound", Level = LogLevel.Information,
        Message = "Bound pod {PodKey} to node {NodeName}")]
    public static partial void PodBound(this ILogger logger, string podKey, string nodeName);

    [LoggerMessage(EventId = 3011, EventName = "BindRepeated", Level = LogLevel.Information,
        Message = "Bind of pod {PodKey} to node {NodeName} repeated; it is already bound there")]
    public static partial void BindRepeated(this ILogger logger, string podKey, string nodeName);

    [LoggerMessage(EventId = 3012, EventName = "BindRefused", Level = LogLevel.Warning,
        Message = "Bind of pod {PodKey} to node {NodeName} refused: {Reason}")]
    public static partial void BindRefused(this ILogger logger, string podKey, string nodeName, string reason);

    [LoggerMessage(EventId = 3013, EventName = "BindFailed", Level = LogLevel.Error,
        Message = "Bind of pod {PodKey} to node {NodeName} failed")]
    public static partial void BindFailed(this ILogger logger, Exception exception, string podKey, string nodeName);

    [LoggerMessage(EventId = 3020, EventName = "ClientCertificateRejected", Level = LogLevel.Warning,
        Message = "Extender request from {RemoteAddress} rejected: {Reason}")]
    public static partial void ClientCertificateRejected(this ILogger logger, string remoteAddress, string reason);

    [LoggerMessage(EventId = 3030, EventName = "HandlerFailed", Level = LogLevel.Error,
        Message = "Extender {Verb} failed unexpectedly")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string verb);
}
