using System.Globalization;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Testing;

/// <summary>Instance types for tests and benchmarks, including Karpenter's scheduling-benchmark fixture.</summary>
public static class FakeInstanceTypes
{
    public static readonly string[] Zones = ["test-zone-1", "test-zone-2", "test-zone-3"];

    /// <summary>
    /// Karpenter's <c>fake.InstanceTypes(n)</c>: type i has i+1 vCPU, 2(i+1) GiB and 10(i+1) pods; spot in
    /// zones 1-2 and on-demand in zones 1-3; price 0.1 per vCPU + 0.1 per GiB. No overhead.
    /// </summary>
    public static IReadOnlyList<InstanceType> KarpenterBenchmark(int count = 400)
    {
        var types = new List<InstanceType>(count);
        for (var i = 0; i < count; i++)
        {
            var cpu = i + 1;
            var memoryGiB = 2 * (i + 1);
            var price = (0.1 * cpu) + (0.1 * memoryGiB);
            var offerings = new List<Offering>
            {
                new(Zones[0], Labels.CapacityTypeSpot, price),
                new(Zones[1], Labels.CapacityTypeSpot, price),
                new(Zones[0], Labels.CapacityTypeOnDemand, price),
                new(Zones[1], Labels.CapacityTypeOnDemand, price),
                new(Zones[2], Labels.CapacityTypeOnDemand, price),
            };
            types.Add(Create($"fake-it-{i}", cpu.ToString(CultureInfo.InvariantCulture), $"{memoryGiB}Gi", 10 * (i + 1), offerings));
        }

        return types;
    }

    /// <summary>One type with the given allocatable (no overhead) and offerings.</summary>
    public static InstanceType Create(string name, string cpu, string memory, int pods, IReadOnlyList<Offering> offerings, string arch = "amd64", params (string Name, string Value)[] extra)
    {
        var capacity = ResourceList.Create([
            (ResourceNames.Cpu, Quantity.Parse(cpu)),
            (ResourceNames.Memory, Quantity.Parse(memory)),
            (ResourceNames.Pods, Quantity.FromUnits(pods)),
            .. extra.Select(e => (e.Name, Quantity.Parse(e.Value))),
        ]);
        var requirements = Requirements.Create(
            Requirement.In(Labels.InstanceType, name),
            Requirement.In(Labels.Arch, arch),
            Requirement.In(Labels.Os, "linux"),
            Requirement.In(Labels.Zone, [.. offerings.Select(o => o.Zone).Distinct()]),
            Requirement.In(Labels.CapacityType, [.. offerings.Select(o => o.CapacityType).Distinct()]));
        return new InstanceType(name, requirements, capacity, ResourceList.Empty, offerings);
    }

    /// <summary>On-demand offerings at one price in the given zones.</summary>
    public static IReadOnlyList<Offering> OnDemand(double price, params string[] zones) =>
        [.. (zones.Length == 0 ? Zones : zones).Select(z => new Offering(z, Labels.CapacityTypeOnDemand, price))];
}
