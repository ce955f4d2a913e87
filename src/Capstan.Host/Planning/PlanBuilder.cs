using Capstan.Aws.Catalog;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Packing;
using Capstan.Core.Provisioning;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Host.Planning;

/// <summary>Turns manifests and a catalog into a packing snapshot (the offline planner's composition) through <see cref="SnapshotBuilder"/>.</summary>
public static class PlanBuilder
{
    public static Snapshot Snapshot(ManifestSet manifests, InstanceCatalog catalog, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(catalog);
        var byKubelet = new Dictionary<KubeletSettings, IReadOnlyList<InstanceType>>();
        // Allocatable depends only on the kubelet settings: compute each distinct set once.
        IReadOnlyList<InstanceType> TypesFor(KubeletSettings kubelet)
        {
            if (!byKubelet.TryGetValue(kubelet, out var types))
            {
                types = catalog.InstanceTypes(kubelet);
                byKubelet[kubelet] = types;
            }

            return types;
        }

        return SnapshotBuilder.Build(new ManifestClusterState(manifests), new SnapshotInputs
        {
            Now = now,
            InstanceTypesFor = p => TypesFor(p.Kubelet),
            DefaultInstanceTypes = TypesFor(KubeletSettings.Default),
            DaemonSets = manifests.DaemonSets,
            NamespaceLabels = manifests.NamespaceLabels,
        });
    }
}
