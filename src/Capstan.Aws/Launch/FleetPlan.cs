using Capstan.Core.Cloud;

namespace Capstan.Aws.Launch;

/// <summary>What a launch asks EC2 for: one capacity type and the overrides, best first; or why nothing can be asked.</summary>
public sealed record FleetPlan
{
    /// <summary><c>spot</c> or <c>on-demand</c>.</summary>
    public required string CapacityType { get; init; }

    public required IReadOnlyList<FleetOverride> Overrides { get; init; }

    /// <summary>When there are no overrides: the offerings that were considered and why each was left out.</summary>
    public IReadOnlyList<OfferingFailure> Excluded { get; init; } = [];
}
