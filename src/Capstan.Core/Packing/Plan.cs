namespace Capstan.Core.Packing;

/// <summary>The packing core's answer: new node claims, placements on existing nodes, and the pods it could not place.</summary>
public sealed record Plan
{
    public required IReadOnlyList<NodeClaimPlan> NodeClaims { get; init; }

    public required IReadOnlyList<ExistingNodePlacement> ExistingNodes { get; init; }

    public required IReadOnlyList<UnschedulablePod> Unschedulable { get; init; }

    /// <summary>Sum of the chosen offerings' hourly prices.</summary>
    public double TotalPricePerHour { get; init; }

    /// <summary>
    /// LP relaxation bound: least total price of fractional instances of the allowed offerings whose cpu and
    /// memory allocatable cover the requests of the pods given to new claims.
    /// </summary>
    public double LowerBoundPricePerHour { get; init; }
}
