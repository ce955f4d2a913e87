using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>How one requirement alternative of a pod group meets one provisioner.</summary>
internal sealed class AltCompat
{
    /// <summary>Why no node of this provisioner can take the pod, or null.</summary>
    public string? Reason { get; init; }

    /// <summary>Provisioner requirements intersected with the pod's.</summary>
    public Requirements Merged { get; init; } = Requirements.Empty;

    /// <summary>Global type indices compatible with <see cref="Merged"/> with an available offering, ascending.</summary>
    public int[] Types { get; init; } = [];

    /// <summary>Membership of <see cref="Types"/> by global index.</summary>
    public bool[] TypeSet { get; init; } = [];

    /// <summary>Cheapest available offering price under <see cref="Merged"/>, by global index (NaN where not allowed).</summary>
    public double[] Price { get; init; } = [];

    /// <summary>Zones where some compatible type has an available offering.</summary>
    public string[] Zones { get; init; } = [];

    /// <summary>Per dimension, the most any compatible type offers after daemon overhead.</summary>
    public long[] LargestRoom { get; init; } = [];

    /// <summary>Types worth sizing a claim for: not dominated in cpu and memory by a cheaper type.</summary>
    public int[] SizingCandidates { get; init; } = [];
}
