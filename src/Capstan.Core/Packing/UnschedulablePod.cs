using Capstan.Core.Pods;

namespace Capstan.Core.Packing;

/// <summary>A pod the plan cannot place, with the reason in words a user can act on.</summary>
public sealed record UnschedulablePod(PodRequest Pod, string Reason);
