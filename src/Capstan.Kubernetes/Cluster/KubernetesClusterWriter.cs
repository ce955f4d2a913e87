using System.Net;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Capstan.Kubernetes.Cluster;

/// <summary>
/// <see cref="IClusterWriter"/> on the real API server through KubernetesClient. Every call is
/// idempotent: a Binding that already exists for the same node, a Node that already exists, or a
/// Node that is already gone count as done.
/// </summary>
public sealed class KubernetesClusterWriter(IKubernetes client) : IClusterWriter
{
    /// <summary>
    /// <c>POST /api/v1/namespaces/{ns}/pods/{name}/binding</c>. On 409 Conflict (a retry after a timeout)
    /// it reads the pod: bound to the same node is success, anything else a <see cref="BindingConflictException"/>.
    /// A missing pod is a <see cref="BindingConflictException"/> too.
    /// </summary>
    public async Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken)
    {
        var binding = new V1Binding
        {
            ApiVersion = "v1",
            Kind = "Binding",
            Metadata = new V1ObjectMeta
            {
                Name = podName,
                NamespaceProperty = podNamespace,
                Uid = string.IsNullOrEmpty(podUid) ? null : podUid,
            },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = nodeName },
        };
        try
        {
            await client.CoreV1.CreateNamespacedPodBindingAsync(binding, podName, podNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BindingConflictException($"pod {podNamespace}/{podName} not found", e);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var current = await ReadPodAsync(podNamespace, podName, cancellationToken)
                ?? throw new BindingConflictException($"pod {podNamespace}/{podName} not found", e);
            if (!string.IsNullOrEmpty(podUid) && current.Metadata?.Uid is { Length: > 0 } uid && uid != podUid)
            {
                throw new BindingConflictException($"pod {podNamespace}/{podName} was replaced (uid {uid}, expected {podUid})", e);
            }

            var boundTo = current.Spec?.NodeName;
            if (boundTo != nodeName)
            {
                throw new BindingConflictException(
                    string.IsNullOrEmpty(boundTo)
                        ? $"pod {podNamespace}/{podName} could not be bound to node {nodeName}: {e.Response.Content}"
                        : $"pod {podNamespace}/{podName} is already bound to node {boundTo}",
                    e);
            }
        }
    }

    public async Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        try
        {
            await client.CoreV1.CreateNodeAsync(ToV1Node(node), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Already created (a retry or a restart): the node's identity is its name.
        }
    }

    public async Task CordonAsync(string nodeName, CancellationToken cancellationToken)
    {
        var patch = new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.StrategicMergePatch);
        await client.CoreV1.PatchNodeAsync(patch, nodeName, cancellationToken: cancellationToken);
    }

    /// <summary>Creates an Eviction; false when a PodDisruptionBudget refused it (429), true when the pod is gone.</summary>
    public async Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        var eviction = new V1Eviction
        {
            ApiVersion = "policy/v1",
            Kind = "Eviction",
            Metadata = new V1ObjectMeta { Name = podName, NamespaceProperty = podNamespace },
        };
        try
        {
            await client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, podName, podNamespace, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return false;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
    }

    public async Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNodeAsync(nodeName, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    internal static V1Node ToV1Node(NodeView node) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = node.Name,
            Labels = new Dictionary<string, string>(node.Labels),
            Annotations = node.Annotations.Count == 0 ? null : new Dictionary<string, string>(node.Annotations),
        },
        Spec = new V1NodeSpec
        {
            ProviderID = node.ProviderId,
            Unschedulable = node.Unschedulable ? true : null,
            Taints = node.Taints.Count == 0 ? null : node.Taints.Select(ToV1Taint).ToList(),
        },
        Status = new V1NodeStatus
        {
            Capacity = ToQuantities(node.Capacity),
            Allocatable = ToQuantities(node.Allocatable),
        },
    };

    private static V1Taint ToV1Taint(Taint taint) => new()
    {
        Key = taint.Key,
        Value = string.IsNullOrEmpty(taint.Value) ? null : taint.Value,
        Effect = taint.Effect.ToString(),
    };

    private static Dictionary<string, ResourceQuantity>? ToQuantities(ResourceList resources) =>
        resources.IsEmpty
            ? null
            : resources.ToStrings().ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value), StringComparer.Ordinal);

    private async Task<V1Pod?> ReadPodAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedPodAsync(podName, podNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
