using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>One entry of the prioritize answer: <c>{"Host": "node", "Score": 0..10}</c>.</summary>
public sealed record HostPriority(
    [property: JsonPropertyName("Host")] string Host,
    [property: JsonPropertyName("Score")] long Score);
