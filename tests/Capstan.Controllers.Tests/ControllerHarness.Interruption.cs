using Capstan.Controllers.Disruption;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Controllers.Tests;

/// <summary>The harness's interruption and garbage-collection parts: spot capacity, the two controllers on the harness's cluster and cloud.</summary>
internal sealed partial class ControllerHarness
{
    /// <summary>The default types' sizes, offered as spot in the two zones.</summary>
    public static IReadOnlyList<InstanceType> SpotTypes() =>
    [
        SpotType("c6a.large", 2, 0.03),
        SpotType("c6a.xlarge", 4, 0.06),
        SpotType("c6a.2xlarge", 8, 0.12),
    ];

    /// <summary>The tutorial's provisioner, spot only.</summary>
    public Provisioner AddSpotProvisioner()
    {
        var provisioner = AddProvisioner() with
        {
            Requirements = Requirements.Create(Requirement.In(Labels.CapacityType, Labels.CapacityTypeSpot)),
        };
        Cluster.UpsertProvisioner(provisioner);
        return provisioner;
    }

    /// <summary>An interruption controller on this harness, displacing through <see cref="Controller"/>; writes go to <paramref name="writer"/> when given.</summary>
    public InterruptionController NewInterruption(IInterruptionSource source, IClusterWriter? writer = null) =>
        new(Cluster, writer ?? Cluster, Cloud, source, Controller, DisruptionMetrics, Time, NullLogger<InterruptionController>.Instance);

    public GarbageCollectionController NewGarbageCollection(GarbageCollectionOptions? options = null) =>
        new(Cluster, Cluster, Cloud, Options, options ?? new GarbageCollectionOptions(), DisruptionMetrics, Time, NullLogger<GarbageCollectionController>.Instance);

    private static InstanceType SpotType(string name, int cpu, double price) =>
        FakeInstanceTypes.Create(name, cpu.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{cpu * 2}Gi", 58,
            [new Offering("us-east-1a", Labels.CapacityTypeSpot, price), new Offering("us-east-1b", Labels.CapacityTypeSpot, price)]);
}
