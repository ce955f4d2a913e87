using Capstan.Controllers.Disruption;
using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Controllers.Tests;

/// <summary>Registered nodes with running pods, and the disruption controller, for the disruption tests.</summary>
internal sealed partial class ControllerHarness
{
    public DisruptionMetrics DisruptionMetrics => _disruptionMetrics ??= new DisruptionMetrics(_meters);

    private DisruptionMetrics? _disruptionMetrics;

    public void ChangeProvisioner(Func<Provisioner, Provisioner> change)
    {
        var current = Cluster.Provisioners().Single(p => p.Name == "default");
        Cluster.UpsertProvisioner(change(current));
    }

    public DisruptionController NewDisruption(DisruptionOptions? options = null) => new(
        Cluster, Cluster, new Provisioning.InstanceTypeSource(Cloud, NullLogger<Provisioning.InstanceTypeSource>.Instance), Controller,
        options ?? new DisruptionOptions(), DisruptionMetrics, Time, NullLogger<DisruptionController>.Instance);

    /// <summary>A registered, initialized node of one of the default types, launched by the default provisioner.</summary>
    public NodeView AddRunningNode(string name, string type, string capacityType = Labels.CapacityTypeOnDemand, DateTimeOffset? created = null)
    {
        var instanceType = DefaultTypes().Single(t => t.Name == type);
        var offering = instanceType.Offerings[0];
        var node = new NodeView
        {
            Name = name,
            Labels = new Dictionary<string, string>
            {
                [Labels.ProvisionerName] = "default",
                [Labels.Initialized] = "true",
                [Labels.InstanceType] = type,
                [Labels.Zone] = offering.Zone,
                [Labels.CapacityType] = capacityType,
                ["intent"] = "apps",
            },
            Capacity = instanceType.Capacity,
            Allocatable = instanceType.Allocatable,
            Ready = true,
            ProviderId = $"aws:///{offering.Zone}/i-{name}",
            Finalizers = [Finalizers.Termination],
            PricePerHour = offering.PricePerHour,
            CreatedAt = created ?? Time.GetUtcNow(),
        };
        Cluster.UpsertNode(node);
        return node;
    }

    /// <summary>Running pods of a ReplicaSet on the node.</summary>
    public IReadOnlyList<PodRequest> AddRunningPods(string node, string prefix, int count, string cpu = "1", Func<PodView, PodView>? change = null)
    {
        var pods = PodBuilder.Replicas(new PodBuilder(prefix, "apps").Cpu(cpu).Memory("1Gi").NodeSelector("intent", "apps").Build(), prefix, count);
        foreach (var pod in pods)
        {
            var view = new PodView { Request = pod, NodeName = node, Phase = "Running", OwnerKind = "ReplicaSet", OwnerName = prefix, ScheduledStatus = "True" };
            Cluster.UpsertPod(change?.Invoke(view) ?? view);
        }

        return pods;
    }

    public static InstanceType DefaultType(string name) => DefaultTypes().Single(t => t.Name == name);
}
