using Capstan.Core.InstanceTypes;

namespace Capstan.Core.Packing;

/// <summary>An instance type a claim may launch as, with its cheapest offering under the claim's requirements.</summary>
public sealed record InstanceTypeOption(InstanceType InstanceType, Offering Offering);
