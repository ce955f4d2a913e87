using Capstan.Core.Pods;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>
/// Turns the <c>namespaceSelector</c>s of pod affinity terms into namespace lists, once per snapshot, so that
/// packing only ever compares a pod's namespace with a list.
/// </summary>
public static class NamespaceSelectors
{
    /// <summary>
    /// With <see cref="Snapshot.NamespaceLabels"/> known, every term with a selector gets the namespaces it
    /// matches added to its list, and keeps the selector as the mark that the list is now exact (it may be
    /// empty: no namespace matched, no pod is selected). Unknown, the selector is dropped: the term counts its
    /// listed namespaces, else the pod's own. Pods without such terms are kept as they are.
    /// </summary>
    public static Snapshot Resolve(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!snapshot.PendingPods.Any(HasSelector) && !snapshot.Nodes.Any(n => n.Pods.Any(HasSelector)))
        {
            return snapshot;
        }

        var labels = snapshot.NamespaceLabels;
        return snapshot with
        {
            PendingPods = [.. snapshot.PendingPods.Select(p => Resolve(p, labels))],
            Nodes = [.. snapshot.Nodes.Select(n => n.Pods.Any(HasSelector) ? n with { Pods = [.. n.Pods.Select(p => Resolve(p, labels))] } : n)],
        };
    }

    private static bool HasSelector(PodRequest pod) =>
        pod.RequiredPodAffinity.Any(t => t.NamespaceSelector is not null)
        || pod.RequiredPodAntiAffinity.Any(t => t.NamespaceSelector is not null)
        || pod.PreferredPodAffinity.Any(w => w.Term.NamespaceSelector is not null)
        || pod.PreferredPodAntiAffinity.Any(w => w.Term.NamespaceSelector is not null);

    private static PodRequest Resolve(PodRequest pod, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? labels) =>
        !HasSelector(pod) ? pod : pod with
        {
            RequiredPodAffinity = [.. pod.RequiredPodAffinity.Select(t => Resolve(t, labels))],
            RequiredPodAntiAffinity = [.. pod.RequiredPodAntiAffinity.Select(t => Resolve(t, labels))],
            PreferredPodAffinity = [.. pod.PreferredPodAffinity.Select(w => w with { Term = Resolve(w.Term, labels) })],
            PreferredPodAntiAffinity = [.. pod.PreferredPodAntiAffinity.Select(w => w with { Term = Resolve(w.Term, labels) })],
        };

    private static PodAffinityTerm Resolve(PodAffinityTerm term, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? labels)
    {
        if (term.NamespaceSelector is not { } selector || term.AllNamespaces)
        {
            return term;
        }

        if (labels is null)
        {
            return term with { NamespaceSelector = null };
        }

        var matched = labels.Where(n => selector.Matches(n.Value)).Select(n => n.Key);
        var namespaces = term.Namespaces.Union(matched, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return term with { Namespaces = namespaces };
    }
}
