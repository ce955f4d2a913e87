using Capstan.Core.Pods;

namespace Capstan.Core.Packing;

/// <summary>Pending pods the plan puts on a node that already exists (or is in flight).</summary>
public sealed record ExistingNodePlacement(string NodeName, IReadOnlyList<PodRequest> Pods);
