using Capstan.Core.Pods;

namespace Capstan.Core.Packing.Internal;

/// <summary>
/// Equality over everything that decides where a pod may go (not its name or size), so pods of one
/// workload share their compatibility computations.
/// </summary>
internal readonly struct ConstraintKey(PodRequest pod) : IEquatable<ConstraintKey>
{
    private readonly PodRequest _pod = pod;

    public bool Equals(ConstraintKey other)
    {
        var a = _pod;
        var b = other._pod;
        return a.Namespace == b.Namespace
            && a.NodeSelector.Equals(b.NodeSelector)
            && Same(a.Labels, b.Labels)
            && a.RequiredAffinity.SequenceEqual(b.RequiredAffinity)
            && a.PreferredAffinity.SequenceEqual(b.PreferredAffinity)
            && a.Tolerations.SequenceEqual(b.Tolerations)
            && a.TopologySpread.SequenceEqual(b.TopologySpread)
            && a.RequiredPodAffinity.SequenceEqual(b.RequiredPodAffinity)
            && a.PreferredPodAffinity.SequenceEqual(b.PreferredPodAffinity)
            && a.RequiredPodAntiAffinity.SequenceEqual(b.RequiredPodAntiAffinity)
            && a.PreferredPodAntiAffinity.SequenceEqual(b.PreferredPodAntiAffinity)
            && a.HostPorts.SequenceEqual(b.HostPorts);
    }

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var w) || v != w)
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is ConstraintKey other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_pod.Namespace);
        hash.Add(_pod.NodeSelector);
        // The labels' pairs in any order: pods of one workload differ from another's mostly by their labels.
        var labels = 0;
        foreach (var (key, value) in _pod.Labels)
        {
            labels ^= HashCode.Combine(key, value);
        }

        hash.Add(labels);
        hash.Add(_pod.Tolerations.Count);
        hash.Add(_pod.TopologySpread.Count);
        hash.Add(_pod.RequiredPodAntiAffinity.Count);
        hash.Add(_pod.RequiredAffinity.Count);
        return hash.ToHashCode();
    }
}
