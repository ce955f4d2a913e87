using Capstan.Controllers;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Placement;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Benchmarks;

/// <summary>The controllers' benchmarks' common ground: the tutorial's provisioner on an in-memory cluster, and a provisioning controller over it.</summary>
internal static class BenchmarkControllers
{
    /// <summary>An in-memory cluster with the tutorial's provisioner (on demand, amd64, xlarge and up) and its node template.</summary>
    public static InMemoryCluster TutorialCluster(bool consolidation = false)
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNodeTemplate(new NodeTemplate { Name = "default" });
        cluster.UpsertProvisioner(new Provisioner
        {
            Name = "default",
            Labels = new Dictionary<string, string> { ["intent"] = "apps" },
            Requirements = Requirements.Create(
                Requirement.In(Labels.CapacityType, Labels.CapacityTypeOnDemand),
                Requirement.In(Labels.Arch, "amd64"),
                Requirement.NotIn(Labels.InstanceSize, "nano", "micro", "small", "medium", "large")),
            ProviderRef = "default",
            ConsolidationEnabled = consolidation,
        });
        return cluster;
    }

    /// <summary>A provisioning controller over the cluster and a cloud double that answers at once.</summary>
    public static (ProvisioningController Controller, InstanceTypeSource Types, TestMeterFactory Meters) Provisioning(
        InMemoryCluster cluster, IReadOnlyList<InstanceType> types, InstantCloud cloud, ProvisioningOptions? options = null)
    {
        var time = TimeProvider.System;
        var batcher = new ProvisioningBatcher(time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        var meters = new TestMeterFactory();
        var sources = new InstanceTypeSource(cloud, NullLogger<InstanceTypeSource>.Instance);
        var controller = new ProvisioningController(cluster, cluster, cloud, new PlacementLedger(time, TimeSpan.FromMinutes(5)), batcher,
            new ProvisioningTrigger(batcher), sources, new InFlightNodes(time), options ?? new ProvisioningOptions(), new ProvisioningMetrics(meters, cluster), time,
            NullLogger<ProvisioningController>.Instance);
        return (controller, sources, meters);
    }
}
