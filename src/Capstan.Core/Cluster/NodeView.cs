using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Cluster;

/// <summary>
/// A node as Capstan sees it: registered or still in flight (launched, not yet Ready), with the pods
/// bound or planned onto it.
/// </summary>
public sealed record NodeView
{
    private static readonly IReadOnlyDictionary<string, string> s_none = new Dictionary<string, string>();

    public required string Name { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = s_none;

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = s_none;

    public IReadOnlyList<Taint> Taints { get; init; } = [];

    public ResourceList Capacity { get; init; } = ResourceList.Empty;

    public ResourceList Allocatable { get; init; } = ResourceList.Empty;

    /// <summary>Pods bound (or planned) onto the node, daemonset pods included.</summary>
    public IReadOnlyList<PodRequest> Pods { get; init; } = [];

    /// <summary>
    /// Launched by Capstan and not yet initialized (no <c>karpenter.sh/initialized</c> label: the kubelet has not
    /// registered it Ready with its startup taints gone). Pods planned here are bound by Capstan, not by kube-scheduler.
    /// A registered node that later turns NotReady is not in flight.
    /// </summary>
    public bool InFlight { get; init; }

    /// <summary>The node reports the <c>Ready</c> condition with status <c>True</c>.</summary>
    public bool Ready { get; init; }

    /// <summary><c>spec.unschedulable</c> (cordoned).</summary>
    public bool Unschedulable { get; init; }

    /// <summary>The node has a deletion timestamp or Capstan has decided to remove it.</summary>
    public bool MarkedForDeletion { get; init; }

    /// <summary>Capstan is draining it, or it is a consolidation or expiry candidate.</summary>
    public bool DisruptionCandidate { get; init; }

    public string? ProviderId { get; init; }

    /// <summary><c>metadata.finalizers</c>: what must happen before the API server removes the Node (see <see cref="Cluster.Finalizers"/>).</summary>
    public IReadOnlyList<string> Finalizers { get; init; } = [];

    /// <summary>Hourly price of the instance behind the node, when known.</summary>
    public double? PricePerHour { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public string? ProvisionerName => Labels.TryGetValue(Scheduling.Labels.ProvisionerName, out var name) ? name : null;

    /// <summary>Sum of the requests of the pods on the node.</summary>
    public ResourceList Requested()
    {
        var sum = ResourceList.Empty;
        foreach (var pod in Pods)
        {
            sum = sum.Add(pod.Requests);
        }

        return sum;
    }

    public override string ToString() => Name;
}
