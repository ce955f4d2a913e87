namespace Capstan.Aws.Launch;

/// <summary>The CreateFleet error codes that mean "this offering cannot be had now" (Karpenter's unavailable-offerings cache).</summary>
public static class CapacityErrors
{
    private static readonly HashSet<string> s_unfulfillable = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "MaxSpotInstanceCountExceeded", "VcpuLimitExceeded", "UnfulfillableCapacity",
        "Unsupported", "InsufficientFreeAddressesInSubnet", "MaxFleetCountExceeded", "ReservationCapacityExceeded",
    };

    public static bool IsUnfulfillable(string? code) => code is not null && s_unfulfillable.Contains(code);
}
