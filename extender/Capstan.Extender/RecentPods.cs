using System.Collections.Concurrent;
using Capstan.Core.Pods;

namespace Capstan.Extender;

/// <summary>
/// The pods the filter saw recently, by UID (and by namespace/name), so bind knows a pod's requests
/// even when the pod watch has not delivered it yet. Bounded: two generations of
/// <see cref="CapacityPerGeneration"/> entries; the older one is dropped when the newer fills up.
/// </summary>
public sealed class RecentPods
{
    public const int CapacityPerGeneration = 4096;

    private readonly Lock _swap = new();
    private ConcurrentDictionary<string, PodRequest> _current = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, PodRequest> _previous = new(StringComparer.Ordinal);
    private int _count;

    public void Remember(PodRequest pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var current = _current;
        current[Key(pod.Namespace, pod.Name)] = pod;
        if (Interlocked.Increment(ref _count) < CapacityPerGeneration)
        {
            return;
        }

        lock (_swap)
        {
            if (ReferenceEquals(current, _current))
            {
                _previous = current;
                _current = new ConcurrentDictionary<string, PodRequest>(StringComparer.Ordinal);
                _count = 0;
            }
        }
    }

    /// <summary>The pod last seen under that name, unless its UID differs from <paramref name="podUid"/> (a new pod).</summary>
    public PodRequest? Find(string podNamespace, string podName, string? podUid)
    {
        var key = Key(podNamespace, podName);
        var pod = _current.TryGetValue(key, out var found) || _previous.TryGetValue(key, out found) ? found : null;
        return pod is not null && (string.IsNullOrEmpty(podUid) || pod.Uid.Length == 0 || pod.Uid == podUid) ? pod : null;
    }

    private static string Key(string podNamespace, string podName) => podNamespace + "/" + podName;
}
