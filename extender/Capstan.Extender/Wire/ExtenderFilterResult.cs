using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>
/// Response of filter (<c>ExtenderFilterResult</c>). Every key is always written, as Go does; with
/// <c>nodeCacheCapable: true</c> <see cref="NodeNames"/> is <c>[]</c>, never null, when every node is rejected.
/// </summary>
public sealed record ExtenderFilterResult
{
    private static readonly IReadOnlyDictionary<string, string> s_none = new Dictionary<string, string>();

    [JsonPropertyName("Nodes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NodeList? Nodes { get; init; }

    [JsonPropertyName("NodeNames")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<string>? NodeNames { get; init; }

    /// <summary>Node name to reason; the scheduler may still preempt on these nodes.</summary>
    [JsonPropertyName("FailedNodes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyDictionary<string, string> FailedNodes { get; init; } = s_none;

    /// <summary>Node name to reason; kept out of preemption too.</summary>
    [JsonPropertyName("FailedAndUnresolvableNodes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyDictionary<string, string> FailedAndUnresolvableNodes { get; init; } = s_none;

    /// <summary>Non-empty fails the scheduling attempt (a plain error, not "unschedulable").</summary>
    [JsonPropertyName("Error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Error { get; init; } = "";

    public static ExtenderFilterResult Failed(string error) => new() { Error = ExtenderError.Sanitize(error) };
}
