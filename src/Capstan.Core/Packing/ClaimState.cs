using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>A node claim while the plan is being built.</summary>
internal sealed class ClaimState
{
    public required int Id { get; init; }

    /// <summary>The claim's name; numbered again in plan order when claims are re-planned at the end.</summary>
    public required string Name { get; set; }

    public required ProvisionerModel Provisioner { get; init; }

    public required Requirements Requirements { get; set; }

    /// <summary>How the pod that opened the claim meets its provisioner (its allowed types and prices).</summary>
    public AltCompat? Opener { get; init; }

    public required long[] Used { get; init; }

    /// <summary>The room of the type the claim was sized for: it may not grow past this (cost-aware sizing); null: no sizing.</summary>
    public long[]? Cap { get; set; }

    /// <summary>Global type indices that fit the pods so far and meet the requirements, ascending.</summary>
    public required List<int> Options { get; set; }

    public List<int> Pods { get; } = [];

    public List<HostPort> Ports { get; } = [];

    /// <summary>Requirement objects already merged into <see cref="Requirements"/> (fast path for repeats).</summary>
    public HashSet<Requirements> Merged { get; } = new(ReferenceEqualityComparer.Instance);

    public long[]? LimitReserved { get; set; }

    /// <summary>What a pod may still request here: the cap (or the roomiest option) less what is used.</summary>
    public long[] Room { get; set; } = [];

    public bool Closed { get; set; }

    public string? Zone => Requirements.Get(Labels.Zone)?.SingleValue;
}
