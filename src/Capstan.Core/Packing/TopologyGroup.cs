using Capstan.Core.Pods;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>Counts, per domain of a topology key, the pods a selector (within some namespaces) matches.</summary>
internal sealed class TopologyGroup(string key, LabelSelector selector, string ownerNamespace, IReadOnlyList<string> namespaces, bool allNamespaces, bool namespacesExact)
{
    public string Key { get; } = key;

    public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public int Total { get; private set; }

    public bool Matches(PodRequest pod) =>
        PodAffinityTerm.SelectsNamespace(allNamespaces, namespaces, namespacesExact, ownerNamespace, pod.Namespace) && selector.Matches(pod.Labels);

    public int Count(string domain) => Counts.TryGetValue(domain, out var n) ? n : 0;

    public void Add(string domain)
    {
        Counts[domain] = Count(domain) + 1;
        Total++;
    }
}
