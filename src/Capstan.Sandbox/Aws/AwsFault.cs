using System.Net;

namespace Capstan.Sandbox.Aws;

/// <summary>A way for the AWS stand-in to misbehave, answered in the wire shape of the call's protocol.</summary>
public enum AwsFault
{
    /// <summary>EC2: 503 <c>RequestLimitExceeded</c>; STS/Auto Scaling: 400 <c>Throttling</c>; JSON services: 400 <c>ThrottlingException</c>.</summary>
    Throttle,

    /// <summary>500 <c>InternalError</c> (EC2) / <c>InternalFailure</c>.</summary>
    ServerError,

    /// <summary>503 <c>Unavailable</c> / <c>ServiceUnavailable</c>.</summary>
    Unavailable,

    /// <summary>A 200 whose body is not XML or JSON at all.</summary>
    Malformed,

    /// <summary>Holds the request for <see cref="AwsFaultRule.Delay"/> (default 30 s) before answering normally, so the client times out.</summary>
    Hang,
}

/// <summary>When and how a call fails: service and action (null: any), how many times, with what chance.</summary>
public sealed record AwsFaultRule
{
    public required string Service { get; init; }

    public string? Action { get; init; }

    public required AwsFault Fault { get; init; }

    /// <summary>How many calls it hits before it is spent; null: every matching call.</summary>
    public int? Times { get; init; }

    /// <summary>The chance a matching call is hit (a seeded draw), 1 by default.</summary>
    public double Probability { get; init; } = 1;

    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(30);

    internal static AwsReply Reply(AwsFault fault, AwsCall call)
    {
        var json = call.Json is not null;
        return fault switch
        {
            AwsFault.Throttle when json => AwsReply.JsonError(HttpStatusCode.BadRequest, "ThrottlingException", "Rate exceeded"),
            AwsFault.Throttle when call.Service == "ec2" => AwsReply.Ec2Error(HttpStatusCode.ServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded."),
            AwsFault.Throttle => AwsReply.QueryError(HttpStatusCode.BadRequest, QueryNamespace(call.Service), "Throttling", "Rate exceeded"),
            AwsFault.ServerError when json => AwsReply.JsonError(HttpStatusCode.InternalServerError, "InternalFailure", "We encountered an internal error. Please try again."),
            AwsFault.ServerError when call.Service == "ec2" => AwsReply.Ec2Error(HttpStatusCode.InternalServerError, "InternalError", "An internal error has occurred"),
            AwsFault.ServerError => AwsReply.QueryError(HttpStatusCode.InternalServerError, QueryNamespace(call.Service), "InternalFailure", "An internal error has occurred", sender: false),
            AwsFault.Unavailable when json => AwsReply.JsonError(HttpStatusCode.ServiceUnavailable, "ServiceUnavailableException", "Service is unavailable"),
            AwsFault.Unavailable when call.Service == "ec2" => AwsReply.Ec2Error(HttpStatusCode.ServiceUnavailable, "Unavailable", "The server is overloaded and can't handle the request."),
            AwsFault.Unavailable => AwsReply.QueryError(HttpStatusCode.ServiceUnavailable, QueryNamespace(call.Service), "ServiceUnavailable", "Service is unavailable", sender: false),
            AwsFault.Malformed => new AwsReply(200, json ? AwsReply.JsonContentType : AwsReply.XmlContentType, "<<not a response>> {"),
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };
    }

    internal static string QueryNamespace(string service) => service switch
    {
        "sts" => "https://sts.amazonaws.com/doc/2011-06-15/",
        "autoscaling" => "http://autoscaling.amazonaws.com/doc/2011-01-01/",
        _ => $"http://{service}.amazonaws.com/",
    };
}
