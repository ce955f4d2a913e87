using Capstan.Core.Cluster;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Host.Tests.Status;

/// <summary>Nodes as the controllers leave them, for the status tests.</summary>
internal static class StatusWorld
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static NodeView Node(string name, bool ready = true, bool inFlight = false, double? price = 0.096,
        string instanceType = "m5.large", string zone = "us-west-2a", string capacityType = "on-demand", DateTimeOffset? createdAt = null) => new()
    {
        Name = name,
        Ready = ready,
        InFlight = inFlight,
        PricePerHour = price,
        CreatedAt = createdAt ?? Now.AddMinutes(-5),
        Labels = new Dictionary<string, string>
        {
            [Labels.InstanceType] = instanceType,
            [Labels.Zone] = zone,
            [Labels.CapacityType] = capacityType,
            [Labels.ProvisionerName] = "default",
        },
        Allocatable = ResourceList.Of("cpu", "1930m", "memory", "7Gi", "pods", "29"),
        Capacity = ResourceList.Of("cpu", "2", "memory", "8Gi", "pods", "29"),
    };
}
