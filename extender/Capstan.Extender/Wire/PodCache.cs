using Capstan.Core.Pods;

namespace Capstan.Extender.Wire;

/// <summary>
/// The conversions of recent Pod objects, found by their exact JSON bytes: the scheduler sends the same
/// Pod to filter, to prioritize and on every retry, and converting it (KubernetesClient's serializer, then
/// <see cref="Kubernetes.Conversions.PodConversions"/>) costs more than judging a hundred nodes. Equal bytes
/// give an equal <see cref="PodRequest"/>, so a hit answers exactly as a conversion would.
/// </summary>
/// <remarks>Direct-mapped and lock-free: a slot holds one immutable entry, a newer pod with the same slot replaces it.</remarks>
internal sealed class PodCache
{
    public const int Slots = 256;

    /// <summary>Larger pods are converted every time rather than held.</summary>
    public const int MaxPodBytes = 64 * 1024;

    private readonly Entry?[] _entries = new Entry?[Slots];

    public PodRequest? Find(ReadOnlySpan<byte> podJson)
    {
        var entry = Volatile.Read(ref _entries[SlotOf(podJson)]);
        return entry is not null && podJson.SequenceEqual(entry.Json) ? entry.Pod : null;
    }

    public void Add(ReadOnlySpan<byte> podJson, PodRequest pod)
    {
        if (podJson.Length <= MaxPodBytes)
        {
            Volatile.Write(ref _entries[SlotOf(podJson)], new Entry(podJson.ToArray(), pod));
        }
    }

    private static int SlotOf(ReadOnlySpan<byte> podJson)
    {
        var hash = new HashCode();
        hash.AddBytes(podJson);
        return hash.ToHashCode() & (Slots - 1);
    }

    private sealed record Entry(byte[] Json, PodRequest Pod);
}
