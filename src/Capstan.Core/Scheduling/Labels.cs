using System.Collections.Frozen;

namespace Capstan.Core.Scheduling;

/// <summary>
/// Label keys and the v1alpha5 label rules: well-known keys, restricted
/// domains, and the normalisation of the legacy beta keys.
/// </summary>
public static class Labels
{
    public const string Hostname = "kubernetes.io/hostname";
    public const string Zone = "topology.kubernetes.io/zone";
    public const string Region = "topology.kubernetes.io/region";
    public const string InstanceType = "node.kubernetes.io/instance-type";
    public const string Arch = "kubernetes.io/arch";
    public const string Os = "kubernetes.io/os";
    public const string CapacityType = "karpenter.sh/capacity-type";
    public const string ProvisionerName = "karpenter.sh/provisioner-name";
    public const string Initialized = "karpenter.sh/initialized";
    public const string EmptinessTimestamp = "karpenter.sh/emptiness-timestamp";

    /// <summary>
    /// Node annotation Capstan sets on a node it is draining or has chosen as a consolidation or expiry
    /// candidate; its presence (any value) makes the node a disruption candidate
    /// (<see cref="Cluster.NodeView.DisruptionCandidate"/>), so no new pods are placed there.
    /// </summary>
    public const string DisruptionAnnotation = "capstan.dev/disruption";

    /// <summary>Node annotation (value <c>true</c>): consolidation never picks the node.</summary>
    public const string DoNotConsolidate = "karpenter.sh/do-not-consolidate";

    /// <summary>Pod annotation (value <c>true</c>): the pod's node is not disrupted voluntarily and its drain waits.</summary>
    public const string DoNotEvict = "karpenter.sh/do-not-evict";

    /// <summary>Key of the <c>NoSchedule</c> taint a node gets when its termination starts.</summary>
    public const string DisruptionTaint = "karpenter.sh/disruption";

    /// <summary>
    /// Node annotation the controller that decides to delete a node writes first (<c>empty</c>, <c>expired</c>,
    /// <c>consolidation</c>, <c>interruption</c>, <c>gc</c>, <c>registration</c>); a node deleted without one was deleted by a user.
    /// </summary>
    public const string TerminationReason = "capstan.dev/termination-reason";

    /// <summary>
    /// Taints a node carries until it is ready (kubelet and cloud controller); a node Capstan launched is expected to
    /// lose them, so pods need not tolerate them to be planned there.
    /// </summary>
    public static readonly IReadOnlyList<string> NotReadyTaints =
    [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.cloudprovider.kubernetes.io/uninitialized",
    ];

    public const string AwsPrefix = "karpenter.k8s.aws/";
    public const string InstanceHypervisor = AwsPrefix + "instance-hypervisor";
    public const string InstanceEncryptionInTransit = AwsPrefix + "instance-encryption-in-transit-supported";
    public const string InstanceCategory = AwsPrefix + "instance-category";
    public const string InstanceFamily = AwsPrefix + "instance-family";
    public const string InstanceGeneration = AwsPrefix + "instance-generation";
    public const string InstanceSize = AwsPrefix + "instance-size";
    public const string InstanceLocalNvme = AwsPrefix + "instance-local-nvme";
    public const string InstanceCpu = AwsPrefix + "instance-cpu";
    public const string InstanceMemory = AwsPrefix + "instance-memory";
    public const string InstanceNetworkBandwidth = AwsPrefix + "instance-network-bandwidth";
    public const string InstancePods = AwsPrefix + "instance-pods";
    public const string InstanceGpuName = AwsPrefix + "instance-gpu-name";
    public const string InstanceGpuManufacturer = AwsPrefix + "instance-gpu-manufacturer";
    public const string InstanceGpuCount = AwsPrefix + "instance-gpu-count";
    public const string InstanceGpuMemory = AwsPrefix + "instance-gpu-memory";
    public const string InstanceAmiId = AwsPrefix + "instance-ami-id";

    public const string CapacityTypeOnDemand = "on-demand";
    public const string CapacityTypeSpot = "spot";

    /// <summary>Labels that narrow the instance type and offering choice; allowed even in restricted domains.</summary>
    public static readonly FrozenSet<string> WellKnown = FrozenSet.ToFrozenSet(
    [
        ProvisionerName, Zone, Region, InstanceType, Arch, Os, CapacityType,
        InstanceHypervisor, InstanceEncryptionInTransit, InstanceCategory, InstanceFamily, InstanceGeneration,
        InstanceSize, InstanceLocalNvme, InstanceCpu, InstanceMemory, InstanceNetworkBandwidth, InstancePods,
        InstanceGpuName, InstanceGpuManufacturer, InstanceGpuCount, InstanceGpuMemory,
    ], StringComparer.Ordinal);

    /// <summary>Domains users may not label nodes in (core plus AWS).</summary>
    public static readonly IReadOnlyList<string> RestrictedDomains = ["kubernetes.io", "k8s.io", "karpenter.sh", "karpenter.k8s.aws"];

    /// <summary>Domains exempt from the restriction (v0.26.1).</summary>
    public static readonly IReadOnlyList<string> DomainExceptions = ["kops.k8s.io", "node.kubernetes.io", "testing.karpenter.sh"];

    /// <summary>Labels that are restricted whatever their domain.</summary>
    public static readonly FrozenSet<string> AlwaysRestricted = FrozenSet.ToFrozenSet([EmptinessTimestamp, Hostname], StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> s_normalized = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["failure-domain.beta.kubernetes.io/zone"] = Zone,
        ["failure-domain.beta.kubernetes.io/region"] = Region,
        ["beta.kubernetes.io/arch"] = Arch,
        ["beta.kubernetes.io/os"] = Os,
        ["beta.kubernetes.io/instance-type"] = InstanceType,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The legacy keys and the keys they normalise to.</summary>
    public static IReadOnlyDictionary<string, string> NormalizedKeys => s_normalized;

    /// <summary>Maps a legacy beta key to its current name; other keys pass through.</summary>
    public static string Normalize(string key) => s_normalized.TryGetValue(key, out var normalized) ? normalized : key;

    /// <summary>The domain part of a label key (before the slash), or empty when it has none.</summary>
    public static string Domain(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : key[..slash];
    }

    /// <summary>
    /// The user-facing check: true when a Provisioner may not use this key in labels or requirements.
    /// Well-known keys are allowed. Domain matching is a plain suffix test, as in v1alpha5.
    /// </summary>
    public static bool IsRestrictedLabel(string key)
    {
        if (WellKnown.Contains(key))
        {
            return false;
        }

        return AlwaysRestricted.Contains(key) || IsInRestrictedDomain(key);
    }

    /// <summary>
    /// Whether Capstan itself may not write this label on a node: well-known keys come from the cloud
    /// provider, and restricted domains are not ours to write.
    /// </summary>
    public static bool IsRestrictedNodeLabel(string key) =>
        WellKnown.Contains(key) || AlwaysRestricted.Contains(key) || IsInRestrictedDomain(key);

    private static bool IsInRestrictedDomain(string key)
    {
        var domain = Domain(key);
        foreach (var exception in DomainExceptions)
        {
            if (domain.EndsWith(exception, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var restricted in RestrictedDomains)
        {
            if (domain.EndsWith(restricted, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
