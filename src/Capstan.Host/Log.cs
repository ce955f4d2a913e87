
namespace Capstan.Host;

/// <summary>The host's log lines (event ids 1xxx).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "CertificateLoaded", Level = LogLevel.Information,
        Message = "Serving certificate {File} loaded: {Subject}, valid until {NotAfter}")]
    public static partial void CertificateLoaded(this ILogger logger, string file, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 1002, EventName = "CertificateReloadFailed", Level = LogLevel.Warning,
        Message = "Serving certificate {File} changed but could not be loaded; keeping the previous one: {Reason}")]
    public static partial void CertificateReloadFailed(this ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 1003, EventName = "Listening", Level = LogLevel.Information,
        Message = "Capstan {Mode} listening on {Address} (webhook: /webhook/mutate, /webhook/validate, /webhook/validate/pods)")]
    public static partial void Listening(this ILogger logger, string mode, Uri address);

    [LoggerMessage(EventId = 1004, EventName = "ClusterNotWired", Level = LogLevel.Warning,
        Message = "Serving without a cluster (--no-cluster): the admission webhook only; no cluster cache, extender routes or pod advice")]
    public static partial void ClusterNotWired(this ILogger logger);

    [LoggerMessage(EventId = 1005, EventName = "SandboxCertificate", Level = LogLevel.Information,
        Message = "Sandbox certificate made on the fly; trust the CA at {CaFile}")]
    public static partial void SandboxCertificate(this ILogger logger, string caFile);

    [LoggerMessage(EventId = 1006, EventName = "ControllersUnavailable", Level = LogLevel.Error,
        Message = "The controllers cannot start: their cloud or cluster clients could not be made (are the AWS credentials and region set?); the webhook and extender keep serving; trying again in {Delay}")]
    public static partial void ControllersUnavailable(this ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 1100, EventName = "StatusSampling", Level = LogLevel.Debug,
        Message = "Status page timeline: sampling the cluster every {Interval}")]
    public static partial void StatusSampling(this ILogger logger, TimeSpan interval);

    [LoggerMessage(EventId = 1101, EventName = "StatusSampleFailed", Level = LogLevel.Warning,
        Message = "Status page timeline: reading the cluster for a sample failed; trying again at the next one")]
    public static partial void StatusSampleFailed(this ILogger logger, Exception exception);
}
