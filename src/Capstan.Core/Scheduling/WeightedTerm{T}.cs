namespace Capstan.Core.Scheduling;

/// <summary>A preferred (soft) term with its weight (1..100).</summary>
public sealed record WeightedTerm<T>(int Weight, T Term);
