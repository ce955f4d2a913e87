namespace Capstan.Host.Status;

/// <summary>
/// What <c>GET /api/status</c> answers and the page renders: the cluster as Capstan sees it at <see cref="GeneratedAt"/>.
/// Decisions are newest first, the timeline oldest first; prices are per hour in the catalog's currency (US dollars).
/// </summary>
public sealed record StatusSnapshot(
    DateTimeOffset GeneratedAt,
    bool Synced,
    IReadOnlyList<NodeStatus> Nodes,
    IReadOnlyList<PendingPodStatus> Pending,
    IReadOnlyList<Decision> Decisions,
    double PricePerHour,
    IReadOnlyList<TimelinePoint> Timeline);

/// <summary>One node card: what it is, where, what it costs, how full it is and which pods are on it.</summary>
public sealed record NodeStatus(
    string Name,
    string? InstanceType,
    string? Zone,
    string? CapacityType,
    double? PricePerHour,
    long? AgeSeconds,
    string State,
    ResourceUse Cpu,
    ResourceUse Memory,
    IReadOnlyList<string> Pods);

/// <summary>A bar: the pods' requests against the node's allocatable (cpu in cores, memory in bytes).</summary>
public sealed record ResourceUse(double Requested, double Allocatable);

/// <summary>A pod no node holds yet, with why, in words.</summary>
public sealed record PendingPodStatus(string Namespace, string Name, string Reason);

/// <summary>The node states the page shows.</summary>
public static class NodeStates
{
    /// <summary>Launched (or registered) and not yet Ready and initialized.</summary>
    public const string InFlight = "in flight";

    public const string Ready = "ready";

    /// <summary>Cordoned, being deleted, or chosen by Capstan for disruption (drain, consolidation, expiry).</summary>
    public const string Draining = "draining";
}
