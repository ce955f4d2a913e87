using System.Globalization;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;

namespace Capstan.Core.InstanceTypes;

/// <summary>
/// Node capacity and overhead on AWS by Karpenter's formula: VM memory
/// overhead, kube-reserved cpu tiers and <c>11Mi x pods + 255Mi</c>, eviction 100Mi, max pods from
/// the ENI limits. Pure arithmetic, so the sandbox, the planner and the cloud adapters agree.
/// </summary>
public static class AllocatableCalculator
{
    /// <summary>Fraction of memory the hypervisor keeps (Karpenter's <c>vmMemoryOverheadPercent</c>).</summary>
    public const double DefaultVmMemoryOverheadPercent = 0.075;

    private static readonly Quantity s_defaultRootVolume = Quantity.FromUnits(20L * 1024 * 1024 * 1024);
    private static readonly Quantity s_evictionMemory = Quantity.FromMebibytes(100);

    // (from millicores, to millicores, fraction reserved): 6% of the first core, 1% of the second,
    // 0.5% of cores 3-4, 0.25% of every core above 4; each tier truncated to whole millicores.
    private static readonly (long From, long To, double Fraction)[] s_cpuTiers =
    [
        (0, 1000, 0.06),
        (1000, 2000, 0.01),
        (2000, 4000, 0.005),
        (4000, long.MaxValue, 0.0025),
    ];

    public static ResourceList Capacity(InstanceTypeSpec spec, KubeletSettings kubelet, double vmMemoryOverheadPercent = DefaultVmMemoryOverheadPercent)
    {
        var memoryMiB = spec.MemoryMiB - (long)Math.Ceiling(spec.MemoryMiB * vmMemoryOverheadPercent);
        if (spec.Architecture == "arm64")
        {
            memoryMiB -= 64;
        }

        var entries = new List<KeyValuePair<string, Quantity>>
        {
            new(ResourceNames.Cpu, Quantity.FromUnits(spec.VCpu)),
            new(ResourceNames.Memory, Quantity.FromMebibytes(memoryMiB)),
            new(ResourceNames.EphemeralStorage, s_defaultRootVolume),
            new(ResourceNames.Pods, Quantity.FromUnits(MaxPods(spec, kubelet))),
        };
        if (spec.GpuCount > 0)
        {
            var name = spec.GpuManufacturer?.ToUpperInvariant() switch
            {
                "NVIDIA" => ResourceNames.NvidiaGpu,
                "AMD" => ResourceNames.AmdGpu,
                _ => null,
            };
            if (name is not null)
            {
                entries.Add(new(name, Quantity.FromUnits(spec.GpuCount)));
            }
        }

        if (spec.AcceleratorCount > 0 && spec.AcceleratorManufacturer is "AWS")
        {
            entries.Add(new(ResourceNames.AwsNeuron, Quantity.FromUnits(spec.AcceleratorCount)));
            if (spec.NeuronCoreCount > 0)
            {
                entries.Add(new(ResourceNames.AwsNeuronCore, Quantity.FromUnits(spec.NeuronCoreCount)));
            }
        }

        if (spec.MaxEfaInterfaces > 0)
        {
            entries.Add(new(ResourceNames.Efa, Quantity.FromUnits(spec.MaxEfaInterfaces)));
        }

        return ResourceList.Create(entries);
    }

    /// <summary>kubelet maxPods if set, otherwise the ENI-limited density; then capped by podsPerCore.</summary>
    public static int MaxPods(InstanceTypeSpec spec, KubeletSettings kubelet)
    {
        var pods = kubelet.MaxPods ?? spec.EniLimitedPods;
        if (kubelet.PodsPerCore is > 0 and var perCore)
        {
            pods = Math.Min(pods, perCore * spec.VCpu);
        }

        return pods;
    }

    /// <summary>kube-reserved + system-reserved + eviction threshold for this type.</summary>
    public static ResourceList Overhead(InstanceTypeSpec spec, KubeletSettings kubelet, ResourceList capacity)
    {
        var kubeReserved = KubeReserved(spec, capacity);
        foreach (var (name, value) in kubelet.KubeReserved)
        {
            kubeReserved = kubeReserved.With(name, value);
        }

        return kubeReserved.Add(kubelet.SystemReserved).Add(EvictionThreshold(kubelet, capacity));
    }

    public static ResourceList KubeReserved(InstanceTypeSpec spec, ResourceList capacity)
    {
        var cpuMilli = capacity.Cpu.MilliValue;
        long reservedCpu = 0;
        foreach (var (from, to, fraction) in s_cpuTiers)
        {
            if (cpuMilli >= from)
            {
                var span = Math.Min(cpuMilli, to) - from;
                reservedCpu += (long)(span * fraction);
            }
        }

        // AL2 reserves memory for the ENI-limited pod count even when maxPods is overridden.
        var memoryMiB = (11L * spec.EniLimitedPods) + 255;
        return ResourceList.Create(
            (ResourceNames.Cpu, Quantity.FromMilli(reservedCpu)),
            (ResourceNames.Memory, Quantity.FromMebibytes(memoryMiB)),
            (ResourceNames.EphemeralStorage, Quantity.FromUnits(1L * 1024 * 1024 * 1024)));
    }

    public static ResourceList EvictionThreshold(KubeletSettings kubelet, ResourceList capacity)
    {
        var memory = s_evictionMemory;
        var storage = Quantity.FromMilli(capacity.Get(ResourceNames.EphemeralStorage).MilliValue / 10);
        if (kubelet.EvictionHard.TryGetValue("memory.available", out var m))
        {
            memory = Signal(m, capacity.Memory);
        }

        if (kubelet.EvictionHard.TryGetValue("nodefs.available", out var n))
        {
            storage = Signal(n, capacity.Get(ResourceNames.EphemeralStorage));
        }

        return ResourceList.Create((ResourceNames.Memory, memory), (ResourceNames.EphemeralStorage, storage));
    }

    private static Quantity Signal(string value, Quantity capacity)
    {
        if (value.EndsWith('%'))
        {
            var percent = double.Parse(value.AsSpan(0, value.Length - 1), CultureInfo.InvariantCulture);
            return percent >= 100 ? Quantity.Zero : Quantity.FromMilli((long)Math.Ceiling(capacity.MilliValue * percent / 100));
        }

        return Quantity.Parse(value);
    }
}
