namespace Capstan.Core.Scheduling;

/// <summary>
/// An inter-pod (anti-)affinity term: pods matching <see cref="Selector"/> in the given namespaces
/// (empty and no namespace selector: the pod's own namespace; <see cref="AllNamespaces"/>: every
/// namespace) counted per domain of <see cref="TopologyKey"/>.
/// </summary>
public sealed record PodAffinityTerm(
    LabelSelector Selector,
    string TopologyKey,
    IReadOnlyList<string> Namespaces,
    bool AllNamespaces = false)
{
    public static PodAffinityTerm SameNamespace(LabelSelector selector, string topologyKey) => new(selector, topologyKey, []);

    /// <summary>True when the pod in <paramref name="otherNamespace"/> with <paramref name="otherLabels"/> is selected by this term of a pod in <paramref name="ownNamespace"/>.</summary>
    public bool Selects(string ownNamespace, string otherNamespace, IReadOnlyDictionary<string, string> otherLabels)
    {
        var namespaceOk = AllNamespaces
            || (Namespaces.Count == 0 ? ownNamespace == otherNamespace : Namespaces.Contains(otherNamespace));
        return namespaceOk && Selector.Matches(otherLabels);
    }

    public bool Equals(PodAffinityTerm? other) =>
        other is not null && Selector == other.Selector && TopologyKey == other.TopologyKey
        && AllNamespaces == other.AllNamespaces && Namespaces.SequenceEqual(other.Namespaces);

    public override int GetHashCode() => HashCode.Combine(Selector, TopologyKey, AllNamespaces, Namespaces.Count);

    public override string ToString() => $"{TopologyKey} {Selector}";
}
