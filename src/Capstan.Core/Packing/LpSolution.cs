namespace Capstan.Core.Packing;

/// <summary>The optimum of the LP relaxation and the dual (shadow) prices of cpu and memory.</summary>
public readonly record struct LpSolution(double Cost, double CpuPrice, double MemoryPrice);
