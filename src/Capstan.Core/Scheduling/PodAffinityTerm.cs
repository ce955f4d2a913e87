namespace Capstan.Core.Scheduling;

/// <summary>
/// An inter-pod (anti-)affinity term: pods matching <see cref="Selector"/> in the term's namespaces, counted
/// per domain of <see cref="TopologyKey"/>. The namespaces are <see cref="Namespaces"/> together with those
/// whose labels <see cref="NamespaceSelector"/> matches; with neither, the pod's own namespace;
/// <see cref="AllNamespaces"/> (an empty namespace selector): every namespace.
/// </summary>
/// <remarks>
/// The core sees namespaces' labels through <see cref="Packing.Snapshot.NamespaceLabels"/>: before packing,
/// <see cref="Packing.NamespaceSelectors.Resolve(Packing.Snapshot)"/> adds the namespaces a selector matches to
/// <see cref="Namespaces"/>, so that from then on a term with a selector means exactly its list (which may be
/// empty: the selector matched nothing).
/// </remarks>
public sealed record PodAffinityTerm(
    LabelSelector Selector,
    string TopologyKey,
    IReadOnlyList<string> Namespaces,
    bool AllNamespaces = false,
    LabelSelector? NamespaceSelector = null)
{
    public static PodAffinityTerm SameNamespace(LabelSelector selector, string topologyKey) => new(selector, topologyKey, []);

    /// <summary>True when the pod in <paramref name="otherNamespace"/> with <paramref name="otherLabels"/> is selected by this term of a pod in <paramref name="ownNamespace"/>.</summary>
    public bool Selects(string ownNamespace, string otherNamespace, IReadOnlyDictionary<string, string> otherLabels) =>
        SelectsNamespace(AllNamespaces, Namespaces, NamespaceSelector is not null, ownNamespace, otherNamespace) && Selector.Matches(otherLabels);

    /// <summary>The namespace rule: every namespace, the listed ones (exactly, once a selector was resolved), or the owner's own.</summary>
    internal static bool SelectsNamespace(bool all, IReadOnlyList<string> namespaces, bool listIsExact, string ownNamespace, string otherNamespace) =>
        all || (namespaces.Count == 0 && !listIsExact ? ownNamespace == otherNamespace : namespaces.Contains(otherNamespace));

    public bool Equals(PodAffinityTerm? other) =>
        other is not null && Selector == other.Selector && TopologyKey == other.TopologyKey
        && AllNamespaces == other.AllNamespaces && Namespaces.SequenceEqual(other.Namespaces) && NamespaceSelector == other.NamespaceSelector;

    public override int GetHashCode() => HashCode.Combine(Selector, TopologyKey, AllNamespaces, Namespaces.Count, NamespaceSelector);

    public override string ToString() => $"{TopologyKey} {Selector}";
}
