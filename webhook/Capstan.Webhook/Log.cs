using Microsoft.Extensions.Logging;

namespace Capstan.Webhook;

/// <summary>The webhook's log lines (event ids 2xxx).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, EventName = "ProvisionerDefaulted", Level = LogLevel.Information,
        Message = "Defaulted Provisioner {Name}: added requirements {Keys}")]
    public static partial void ProvisionerDefaulted(this ILogger logger, string name, string keys);

    [LoggerMessage(EventId = 2002, EventName = "AdmissionAllowed", Level = LogLevel.Information, Message = "Admitted {Kind} {Name}")]
    public static partial void AdmissionAllowed(this ILogger logger, string kind, string name);

    [LoggerMessage(EventId = 2003, EventName = "AdmissionDenied", Level = LogLevel.Information,
        Message = "Denied {Kind} {Name} ({Count} violations): {Reason}")]
    public static partial void AdmissionDenied(this ILogger logger, string kind, string name, int count, string reason);

    [LoggerMessage(EventId = 2004, EventName = "PodUnsatisfiable", Level = LogLevel.Information,
        Message = "Warned about {Kind} {Namespace}/{Name}: {Warning}")]
    public static partial void PodUnsatisfiable(this ILogger logger, string kind, string @namespace, string name, string warning);

    [LoggerMessage(EventId = 2005, EventName = "BadAdmissionReview", Level = LogLevel.Warning,
        Message = "Rejected a request to {Path} with HTTP {StatusCode}: {Reason}")]
    public static partial void BadAdmissionReview(this ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 2006, EventName = "AdmissionFailed", Level = LogLevel.Error,
        Message = "Admission review {Uid} on {Path} failed unexpectedly")]
    public static partial void AdmissionFailed(this ILogger logger, Exception exception, string uid, string path);
}
