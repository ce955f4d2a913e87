using System.Text.Json.Serialization;
using k8s.Models;

namespace Capstan.Extender.Wire;

/// <summary>
/// Request of filter and prioritize (<c>k8s.io/kube-scheduler/extender/v1.ExtenderArgs</c>). Exactly one of
/// <see cref="Nodes"/> (<c>nodeCacheCapable: false</c>) and <see cref="NodeNames"/> (<c>true</c>) is non-null.
/// </summary>
public sealed record ExtenderArgs
{
    [JsonPropertyName("Pod")]
    [JsonConverter(typeof(KubernetesJsonConverter<V1Pod>))]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public V1Pod? Pod { get; init; }

    [JsonPropertyName("Nodes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NodeList? Nodes { get; init; }

    [JsonPropertyName("NodeNames")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<string>? NodeNames { get; init; }
}
