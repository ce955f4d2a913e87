using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>The body of a rejected request (HTTP 400 or 403): <c>{"Error": "reason"}</c>.</summary>
public sealed record ExtenderError([property: JsonPropertyName("Error")] string Error)
{
    /// <summary>
    /// The scheduler passes filter and bind errors to Go's <c>fmt.Errorf</c> as a format string, so a
    /// <c>%</c> would be mangled (kube-scheduler's extender protocol); it is spelled out instead.
    /// </summary>
    public static string Sanitize(string message) =>
        message.Contains('%', StringComparison.Ordinal) ? message.Replace("%", " percent", StringComparison.Ordinal) : message;
}
