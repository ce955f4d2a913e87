using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// A refusal as the API server words it: the HTTP code, the <c>Status</c> reason (<c>NotFound</c>, <c>Conflict</c>,
/// <c>AlreadyExists</c>, <c>Invalid</c>, <c>Expired</c>, <c>TooManyRequests</c>) and a message a person can act on.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message)
        : base(message)
    {
        Code = code;
        Reason = reason;
    }

    public ApiException()
        : this(500, "InternalError", "internal error")
    {
    }

    public ApiException(string message)
        : this(500, "InternalError", message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public int Code { get; }

    public string Reason { get; }

    /// <summary>
    /// Seconds the client should wait before trying again, sent as <c>Retry-After</c> (and the Status's
    /// <c>details.retryAfterSeconds</c>) when positive: a throttled server says it, a disruption budget's refusal does not.
    /// </summary>
    public int RetryAfterSeconds { get; init; }

    /// <summary>Extra <c>details</c> of the Status (name, kind), when known.</summary>
    public JsonObject? Details { get; init; }

    public static ApiException NotFound(ApiResource resource, string name) =>
        new(404, "NotFound", $"{resource.Plural}{Group(resource)} \"{name}\" not found")
        {
            Details = new JsonObject { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural },
        };

    public static ApiException AlreadyExists(ApiResource resource, string name) =>
        new(409, "AlreadyExists", $"{resource.Plural}{Group(resource)} \"{name}\" already exists")
        {
            Details = new JsonObject { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural },
        };

    public static ApiException Conflict(ApiResource resource, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {resource.Plural}{Group(resource)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again")
        {
            Details = new JsonObject { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural },
        };

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Invalid(ApiResource resource, string name, string message) =>
        new(422, "Invalid", $"{resource.Kind} \"{name}\" is invalid: {message}");

    private static string Group(ApiResource resource) => resource.Group.Length == 0 ? "" : "." + resource.Group;
}
