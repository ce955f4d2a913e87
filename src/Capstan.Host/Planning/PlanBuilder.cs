using Capstan.Aws.Catalog;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Packing;
using Capstan.Core.Provisioning;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Host.Planning;

/// <summary>Turns manifests and a catalog into a packing snapshot (the offline planner's composition).</summary>
public static class PlanBuilder
{
    public static Snapshot Snapshot(ManifestSet manifests, InstanceCatalog catalog, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(catalog);
        var byKubelet = new Dictionary<KubeletSettings, IReadOnlyList<InstanceType>>();
        IReadOnlyList<InstanceType> TypesFor(Provisioner p)
        {
            if (!byKubelet.TryGetValue(p.Kubelet, out var types))
            {
                types = catalog.InstanceTypes(p.Kubelet);
                byKubelet[p.Kubelet] = types;
            }

            return types;
        }

        return new Snapshot
        {
            Now = now,
            PendingPods = manifests.Pods,
            Nodes = manifests.Nodes,
            DaemonSets = manifests.DaemonSets,
            Provisioners = [.. manifests.Provisioners.Select(p => new ProvisionerState(p) { InstanceTypes = TypesFor(p) })],
            InstanceTypes = catalog.InstanceTypes(),
        };
    }
}
