using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>A node claim while the plan is being built.</summary>
internal sealed class ClaimState
{
    public required int Id { get; init; }

    public required string Name { get; init; }

    public required ProvisionerModel Provisioner { get; init; }

    public required Requirements Requirements { get; set; }

    public required long[] Used { get; init; }

    /// <summary>The most this claim may grow to (allocatable less overhead of its sizing type); null: no cap.</summary>
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
