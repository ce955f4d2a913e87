using Capstan.Core.Pods;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>
/// The domains holding pods that carry one required anti-affinity term: a new pod the term selects may
/// not join those domains (the symmetric half of anti-affinity).
/// </summary>
internal sealed class OwnerGroup(PodAffinityTerm term, string ownerNamespace)
{
    public PodAffinityTerm Term { get; } = term;

    public HashSet<string> Domains { get; } = new(StringComparer.Ordinal);

    public bool Selects(PodRequest pod) => Term.Selects(ownerNamespace, pod.Namespace, pod.Labels);
}
