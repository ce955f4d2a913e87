using Capstan.Core.Resources;

namespace Capstan.Core.Placement;

/// <summary>
/// One placement Capstan made on a node that the cluster cache may not show yet: a bind in progress
/// (<see cref="Bound"/> false) or done.
/// </summary>
public sealed record LedgerEntry(string Namespace, string Name, string Uid, ResourceList Requests, long Timestamp, bool Bound)
{
    public bool IsPod(string podNamespace, string podName) =>
        string.Equals(Name, podName, StringComparison.Ordinal) && string.Equals(Namespace, podNamespace, StringComparison.Ordinal);
}
