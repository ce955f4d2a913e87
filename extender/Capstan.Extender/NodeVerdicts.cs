using System.Collections.Concurrent;
using Capstan.Extender.Wire;

namespace Capstan.Extender;

/// <summary>
/// The reasons filter gives. They are short and stable because the scheduler groups identical messages
/// into its event text (<c>0/N nodes are available: 3 node(s) ...</c>), and they contain no <c>%</c>.
/// </summary>
public static class NodeVerdicts
{
    public const string BeingDeleted = "node(s) are being deleted by Capstan";

    public const string BeingDisrupted = "node(s) are being drained or replaced by Capstan (consolidation or expiry)";

    public const string CordonedByCapstan = "node(s) were cordoned by Capstan";

    public const string NotSynced = "Capstan's cluster cache is not synced yet";

    /// <summary>The scheduler's Node object has <c>metadata.deletionTimestamp</c>: whoever deletes it, no pod should go there.</summary>
    public const string Deleting = "node(s) are being deleted";

    /// <summary>The scheduler's Node object is cordoned and carries the <c>karpenter.sh/disruption</c> taint.</summary>
    public const string CordonedForDisruption = "node(s) are cordoned and tainted karpenter.sh/disruption (being taken away)";

    /// <summary>Why a node object the scheduler sent rules its node out, or null when it does not.</summary>
    internal static string? OfNodeObject(NodeObjectState state) =>
        (state & NodeObjectState.Deleting) != 0 ? Deleting
        : (state & (NodeObjectState.Unschedulable | NodeObjectState.DisruptionTaint)) == (NodeObjectState.Unschedulable | NodeObjectState.DisruptionTaint) ? CordonedForDisruption
        : null;

    private static readonly ConcurrentDictionary<string, string> s_insufficient = new(StringComparer.Ordinal);

    /// <summary>
    /// Cached per resource, as filter may reject thousands of nodes for the same reason in one request;
    /// bounded, because resource names come from pod specs.
    /// </summary>
    public static string Insufficient(string resource)
    {
        if (s_insufficient.TryGetValue(resource, out var reason))
        {
            return reason;
        }

        reason = $"node(s) had insufficient {resource} after Capstan's placements";
        if (s_insufficient.Count < 256)
        {
            s_insufficient.TryAdd(resource, reason);
        }

        return reason;
    }
}
