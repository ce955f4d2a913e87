using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;

namespace Capstan.Sandbox.World;

/// <summary>The garbage collector and the pod GC: what goes once what it belonged to has gone.</summary>
public sealed partial class WorkloadControllers
{
    /// <summary>
    /// The pod GC: a pod bound to a node that no longer exists is deleted with grace 0 (no kubelet is left to
    /// confirm a graceful deletion); its controller then makes a pending, unbound replacement.
    /// </summary>
    private void CollectOrphanedPods()
    {
        // Pods first, nodes second: a pod bound to a node made after the node list cannot look orphaned.
        var (pods, _) = _store.List(ApiResources.Pods, filter: Workload.IsBound);
        if (pods.Count == 0)
        {
            return;
        }

        var nodes = _store.List(ApiResources.Nodes).Items.Select(ObjectStore.NameOf).ToHashSet(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var node = (string?)pod["spec"]?["nodeName"] ?? "";
            if (nodes.Contains(node))
            {
                continue;
            }

            Guard(ApiResources.Pods, pod, () =>
            {
                var (ns, name) = (Workload.Namespace(pod), ObjectStore.NameOf(pod));
                _store.Delete(ApiResources.Pods, ns, name, gracePeriodSeconds: 0, uidPrecondition: Workload.Uid(pod));
                _logger.OrphanedPodDeleted(ns, name, node);
            });
        }
    }

    /// <summary>
    /// The garbage collector with background propagation: an object whose owners are all gone (no object of that
    /// kind, name and uid exists) is deleted, and what it owned follows on a later pass. Owners of kinds the sandbox
    /// does not serve are taken to exist.
    /// </summary>
    private void CollectGarbage()
    {
        foreach (var resource in ApiResources.All)
        {
            var (owned, _) = _store.List(resource, filter: o => o["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 } && !Workload.IsTerminating(o));
            foreach (var obj in owned)
            {
                var references = ((JsonArray)obj["metadata"]!["ownerReferences"]!).OfType<JsonObject>().ToList();
                if (references.Count == 0 || !references.All(r => OwnerGone(r, ObjectStore.NamespaceOf(obj))))
                {
                    continue;
                }

                var first = Workload.ControllerOf(obj) ?? references[0];
                Guard(resource, obj, () =>
                {
                    var (ns, name) = (ObjectStore.NamespaceOf(obj), ObjectStore.NameOf(obj));
                    var (ownerKind, ownerName) = ((string?)first["kind"] ?? "", (string?)first["name"] ?? "");
                    _store.Delete(resource, ns, name, uidPrecondition: Workload.Uid(obj));
                    _logger.GarbageCollected(resource.Kind, ns, name, ownerKind, ownerName);
                });
            }
        }
    }

    private bool OwnerGone(JsonObject reference, string? dependentNamespace)
    {
        if (ApiResources.ForKind((string?)reference["apiVersion"] ?? "", (string?)reference["kind"] ?? "") is not { } kind)
        {
            return false;
        }

        var owner = _store.Get(kind, kind.Namespaced ? dependentNamespace : null, (string?)reference["name"] ?? "");
        return owner is null || Workload.Uid(owner) != (string?)reference["uid"];
    }
}
