using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Controllers.Provisioning;

/// <summary>
/// The Node object Capstan creates for a launched instance before its kubelet registers: named as the instance's
/// private DNS name, with its provider id, the labels the kubelet will register plus the instance's facts, the
/// provisioner's taints and startup taints, the termination finalizer, and capacity estimated from the instance type.
/// </summary>
public static class NodeBuilder
{
    public static NodeView Build(
        CloudInstance instance,
        InstanceType instanceType,
        Provisioner provisioner,
        IReadOnlyDictionary<string, string> claimLabels,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(instanceType);
        ArgumentNullException.ThrowIfNull(provisioner);
        ArgumentNullException.ThrowIfNull(claimLabels);
        var name = NodeName(instance);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in instanceType.Requirements.SingleValuedLabels())
        {
            labels[key] = value;
        }

        foreach (var (key, value) in claimLabels)
        {
            labels[key] = value;
        }

        foreach (var (key, value) in provisioner.Labels)
        {
            labels[key] = value;
        }

        // The instance's own facts win over anything the claim allowed.
        labels[Labels.ProvisionerName] = provisioner.Name;
        labels[Labels.InstanceType] = instance.InstanceType;
        labels[Labels.Zone] = instance.Zone;
        labels[Labels.Region] = RegionOf(instance.Zone);
        labels[Labels.CapacityType] = instance.CapacityType;
        labels[Labels.Hostname] = name;
        labels.TryAdd(Labels.Arch, "amd64");
        labels.TryAdd(Labels.Os, "linux");
        labels.Remove(Labels.Initialized);

        var offering = instanceType.Offerings.FirstOrDefault(o => o.Zone == instance.Zone && o.CapacityType == instance.CapacityType);
        return new NodeView
        {
            Name = name,
            Labels = labels,
            Annotations = provisioner.Annotations,
            Taints = [.. provisioner.Taints, .. provisioner.StartupTaints.Where(s => !provisioner.Taints.Any(t => t.Key == s.Key && t.Effect == s.Effect))],
            Capacity = instanceType.Capacity,
            Allocatable = instanceType.Allocatable,
            InFlight = true,
            ProviderId = instance.ProviderId,
            Finalizers = [Finalizers.Termination],
            PricePerHour = offering?.PricePerHour,
            CreatedAt = now,
        };
    }

    /// <summary>The private DNS name the kubelet registers as; the instance id while the cloud has not assigned one.</summary>
    public static string NodeName(CloudInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return string.IsNullOrEmpty(instance.PrivateDnsName) ? instance.InstanceId : instance.PrivateDnsName;
    }

    /// <summary><c>us-east-1b</c> -> <c>us-east-1</c>; Local and Wavelength Zones (<c>us-east-1-bos-1a</c>) belong to their parent region.</summary>
    public static string RegionOf(string zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var parts = zone.Split('-');
        if (parts.Length < 3)
        {
            return zone;
        }

        var third = parts[2].TrimEnd("abcdefghijklmnopqrstuvwxyz".ToCharArray());
        return string.Join('-', parts[0], parts[1], third.Length == 0 ? parts[2] : third);
    }
}
