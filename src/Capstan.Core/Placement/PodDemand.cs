using Capstan.Core.Resources;

namespace Capstan.Core.Placement;

/// <summary>
/// A pod's positive requests as two parallel arrays, computed once per request so that the per-node
/// checks of filter and prioritize neither enumerate nor allocate.
/// </summary>
public sealed class PodDemand
{
    private PodDemand(string[] names, long[] milli, long cpuMilli, long memoryMilli)
    {
        Names = names;
        Milli = milli;
        Slots = Array.ConvertAll(names, SlotOf);
        CpuMilli = cpuMilli;
        MemoryMilli = memoryMilli;
    }

    public string[] Names { get; }

    public long[] Milli { get; }

    /// <summary>Per entry of <see cref="Names"/>, which <see cref="DemandSlot"/> it is.</summary>
    public DemandSlot[] Slots { get; }

    public long CpuMilli { get; }

    public long MemoryMilli { get; }

    public static PodDemand Of(ResourceList requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var names = new List<string>(requests.Count);
        var milli = new List<long>(requests.Count);
        foreach (var (name, quantity) in requests)
        {
            if (quantity.MilliValue > 0)
            {
                names.Add(name);
                milli.Add(quantity.MilliValue);
            }
        }

        return new PodDemand([.. names], [.. milli], requests.Cpu.MilliValue, requests.Memory.MilliValue);
    }

    private static DemandSlot SlotOf(string name) => name switch
    {
        ResourceNames.Cpu => DemandSlot.Cpu,
        ResourceNames.Memory => DemandSlot.Memory,
        ResourceNames.Pods => DemandSlot.Pods,
        _ => DemandSlot.Other,
    };
}
