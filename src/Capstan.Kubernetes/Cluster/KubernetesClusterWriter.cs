using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Kubernetes.Cluster;

/// <summary>
/// <see cref="IClusterWriter"/> on the real API server through KubernetesClient. Every call is idempotent: a Binding
/// that already exists for the same node, a Node that already exists, or a Node that is already gone count as done,
/// so the timeout and retry policy (<see cref="KubernetesWriterOptions"/>) may repeat any of them. Metadata and spec
/// changes are JSON merge patches (<c>application/merge-patch+json</c>); list fields (finalizers, taints) are read,
/// changed and written back with the resourceVersion read, so a concurrent writer makes the API server answer
/// 409 Conflict and the change is made again on the new object.
/// </summary>
public sealed class KubernetesClusterWriter : IClusterWriter
{
    private const string ProvisionerGroup = "karpenter.sh";
    private const string ProvisionerVersion = "v1alpha5";
    private const string ProvisionerPlural = "provisioners";

    private readonly IKubernetes _client;
    private readonly TimeProvider _timeProvider;
    private readonly ApiRetry _retry;
    private long _events;

    public KubernetesClusterWriter(IKubernetes client)
        : this(client, new KubernetesWriterOptions(), TimeProvider.System, NullLogger<KubernetesClusterWriter>.Instance)
    {
    }

    public KubernetesClusterWriter(IKubernetes client, KubernetesWriterOptions options, TimeProvider timeProvider, ILogger<KubernetesClusterWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _client = client;
        _timeProvider = timeProvider;
        _retry = new ApiRetry(options, timeProvider, logger);
    }

    /// <summary>
    /// <c>POST /api/v1/namespaces/{ns}/pods/{name}/binding</c>. On 409 Conflict (a retry after a timeout)
    /// it reads the pod: bound to the same node is success, anything else a <see cref="BindingConflictException"/>.
    /// A missing pod is a <see cref="BindingConflictException"/> too.
    /// </summary>
    public Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken) =>
        RunAsync($"bind {podNamespace}/{podName} to {nodeName}", ct => BindOnceAsync(podNamespace, podName, podUid, nodeName, ct), retryConflicts: false, cancellationToken);

    public Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var body = ToV1Node(node);
        return RunAsync($"create node {node.Name}", async ct =>
        {
            try
            {
                await _client.CoreV1.CreateNodeAsync(body, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Already created (this create answered late, a retry or a restart): the node's identity is its name.
            }
        }, retryConflicts: false, cancellationToken);
    }

    public Task CordonAsync(string nodeName, CancellationToken cancellationToken) =>
        RunAsync($"cordon node {nodeName}", ct => _client.CoreV1.PatchNodeAsync(
            new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.StrategicMergePatch), nodeName, cancellationToken: ct), retryConflicts: false, cancellationToken);

    public Task<bool> UncordonAsync(string nodeName, CancellationToken cancellationToken) =>
        MergePatchNodeAsync($"uncordon node {nodeName}", nodeName, new JsonObject { ["spec"] = new JsonObject { ["unschedulable"] = null } }, cancellationToken);

    /// <summary>Creates an Eviction; false when a PodDisruptionBudget refused it (429 without Retry-After), true when the pod is gone.</summary>
    public Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        var eviction = new V1Eviction
        {
            ApiVersion = "policy/v1",
            Kind = "Eviction",
            Metadata = new V1ObjectMeta { Name = podName, NamespaceProperty = podNamespace },
        };
        return RunAsync($"evict pod {podNamespace}/{podName}", async ct =>
        {
            try
            {
                await _client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, podName, podNamespace, cancellationToken: ct);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.TooManyRequests && !HasRetryAfter(e.Response))
            {
                // The disruption budget's answer; a throttled API server sends Retry-After and is retried.
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
        }, retryConflicts: false, cancellationToken);
    }

    public Task DeletePodAsync(string podNamespace, string podName, CancellationToken cancellationToken) =>
        RunAsync($"delete pod {podNamespace}/{podName}", async ct =>
        {
            try
            {
                await _client.CoreV1.DeleteNamespacedPodAsync(podName, podNamespace, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
        }, retryConflicts: false, cancellationToken);

    public Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken) =>
        RunAsync($"delete node {nodeName}", async ct =>
        {
            try
            {
                await _client.CoreV1.DeleteNodeAsync(nodeName, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
        }, retryConflicts: false, cancellationToken);

    public Task<bool> AddNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(finalizer);
        return ModifyNodeAsync($"add finalizer {finalizer} to node {nodeName}", nodeName, node =>
        {
            var finalizers = node.Metadata?.Finalizers ?? [];
            return finalizers.Contains(finalizer, StringComparer.Ordinal)
                ? null
                : new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = Strings([.. finalizers, finalizer]) } };
        }, missingIsDone: false, cancellationToken);
    }

    public Task<bool> RemoveNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(finalizer);
        return ModifyNodeAsync($"remove finalizer {finalizer} from node {nodeName}", nodeName, node =>
        {
            var finalizers = node.Metadata?.Finalizers ?? [];
            return finalizers.Contains(finalizer, StringComparer.Ordinal)
                ? new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = Strings(finalizers.Where(f => f != finalizer)) } }
                : null;
        }, missingIsDone: true, cancellationToken);
    }

    public Task<bool> SetNodeLabelsAsync(string nodeName, IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken) =>
        MergePatchNodeAsync($"label node {nodeName}", nodeName, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = Map(labels) } }, cancellationToken);

    public Task<bool> SetNodeAnnotationsAsync(string nodeName, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken) =>
        MergePatchNodeAsync($"annotate node {nodeName}", nodeName, new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = Map(annotations) } }, cancellationToken);

    public Task<bool> AddNodeTaintAsync(string nodeName, Taint taint, CancellationToken cancellationToken) =>
        ModifyNodeAsync($"taint node {nodeName} with {taint}", nodeName, node =>
        {
            var taints = node.Spec?.Taints ?? [];
            var wanted = ToV1Taint(taint);
            if (taints.Any(t => SameTaint(t, wanted) && t.Value == wanted.Value))
            {
                return null;
            }

            var changed = taints.Where(t => !SameTaint(t, wanted)).Append(wanted);
            return new JsonObject { ["spec"] = new JsonObject { ["taints"] = Taints(changed) } };
        }, missingIsDone: false, cancellationToken);

    public Task<bool> RemoveNodeTaintAsync(string nodeName, string key, TaintEffect effect, CancellationToken cancellationToken) =>
        ModifyNodeAsync($"remove taint {key}:{effect} from node {nodeName}", nodeName, node =>
        {
            var taints = node.Spec?.Taints ?? [];
            var removed = new V1Taint { Key = key, Effect = Taint.EffectName(effect) };
            return taints.Any(t => SameTaint(t, removed))
                ? new JsonObject { ["spec"] = new JsonObject { ["taints"] = Taints(taints.Where(t => !SameTaint(t, removed))) } }
                : null;
        }, missingIsDone: false, cancellationToken);

    /// <summary>
    /// Reads the provisioner's status, then merge-patches <c>status.resources</c> through the status subresource
    /// (<c>PATCH …/provisioners/{name}/status</c>): resources no longer used are set to null, so the map is replaced.
    /// </summary>
    public Task<bool> PatchProvisionerStatusAsync(string provisionerName, ResourceList resources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return RunAsync($"update status of provisioner {provisionerName}", async ct =>
        {
            try
            {
                var current = await _client.CustomObjects.GetClusterCustomObjectStatusAsync(ProvisionerGroup, ProvisionerVersion, ProvisionerPlural, provisionerName, ct);
                var wanted = new JsonObject();
                foreach (var name in CurrentResourceNames(current))
                {
                    wanted[name] = null;
                }

                foreach (var (name, value) in resources.ToStrings())
                {
                    wanted[name] = value;
                }

                var patch = new JsonObject { ["status"] = new JsonObject { ["resources"] = wanted } };
                await _client.CustomObjects.PatchClusterCustomObjectStatusAsync(
                    new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), ProvisionerGroup, ProvisionerVersion, ProvisionerPlural, provisionerName, cancellationToken: ct);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, retryConflicts: true, cancellationToken);
    }

    /// <summary>
    /// Creates a core/v1 Event named <c>{object}.{unique hex}</c> (as client-go names them), in the pod's namespace or,
    /// for a node, in <c>default</c>. A repeat of a create that succeeded meets AlreadyExists and counts as done.
    /// </summary>
    public Task RecordEventAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusterEvent);
        var body = ToV1Event(clusterEvent);
        return RunAsync($"record event {clusterEvent.Reason} on {clusterEvent.Kind} {clusterEvent.Name}", async ct =>
        {
            try
            {
                await _client.CoreV1.CreateNamespacedEventAsync(body, body.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // This very event was created by an attempt whose answer was lost.
            }
        }, retryConflicts: false, cancellationToken);
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
            Finalizers = node.Finalizers.Count == 0 ? null : [.. node.Finalizers],
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

    internal Corev1Event ToV1Event(ClusterEvent e)
    {
        var now = _timeProvider.GetUtcNow();
        var ns = e.Kind == EventObjectKind.Pod ? e.Namespace ?? "default" : "default";
        var unique = now.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture) + Interlocked.Increment(ref _events).ToString("x4", CultureInfo.InvariantCulture);
        return new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = $"{e.Name}.{unique}", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = e.Kind.ToString(),
                Name = e.Name,
                NamespaceProperty = e.Kind == EventObjectKind.Pod ? ns : null,
                Uid = string.IsNullOrEmpty(e.Uid) ? null : e.Uid,
            },
            Reason = e.Reason,
            Message = e.Message,
            Type = e.Type.ToString(),
            Source = new V1EventSource { Component = "capstan" },
            ReportingComponent = "capstan",
            FirstTimestamp = now.UtcDateTime,
            LastTimestamp = now.UtcDateTime,
            Count = 1,
        };
    }

    private async Task BindOnceAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken)
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
            await _client.CoreV1.CreateNamespacedPodBindingAsync(binding, podName, podNamespace, cancellationToken: cancellationToken);
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

    private async Task RunAsync(string operation, Func<CancellationToken, Task> call, bool retryConflicts, CancellationToken cancellationToken) =>
        await _retry.RunAsync(operation, async ct =>
        {
            await call(ct);
            return true;
        }, retryConflicts, cancellationToken);

    private Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, bool retryConflicts, CancellationToken cancellationToken) =>
        _retry.RunAsync(operation, call, retryConflicts, cancellationToken);

    /// <summary>A JSON merge patch that needs no precondition (maps and scalars); false when the node is gone.</summary>
    private Task<bool> MergePatchNodeAsync(string operation, string nodeName, JsonObject patch, CancellationToken cancellationToken)
    {
        var body = new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch);
        return RunAsync(operation, async ct =>
        {
            try
            {
                await _client.CoreV1.PatchNodeAsync(body, nodeName, cancellationToken: ct);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, retryConflicts: false, cancellationToken);
    }

    /// <summary>
    /// Reads the node, asks <paramref name="change"/> for a merge patch (null: nothing to change) and sends it with the
    /// resourceVersion read; a 409 Conflict (someone wrote in between) is retried from the read.
    /// </summary>
    private Task<bool> ModifyNodeAsync(string operation, string nodeName, Func<V1Node, JsonObject?> change, bool missingIsDone, CancellationToken cancellationToken) =>
        RunAsync(operation, async ct =>
        {
            try
            {
                var node = await _client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: ct);
                if (change(node) is not { } patch)
                {
                    return true;
                }

                var metadata = patch["metadata"] as JsonObject ?? new JsonObject();
                metadata["resourceVersion"] = node.Metadata?.ResourceVersion;
                patch["metadata"] = metadata;
                await _client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), nodeName, cancellationToken: ct);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return missingIsDone;
            }
        }, retryConflicts: true, cancellationToken);

    private static bool HasRetryAfter(HttpResponseMessageWrapper response) =>
        response.Headers is not null && response.Headers.ContainsKey("Retry-After");

    private static IEnumerable<string> CurrentResourceNames(object? provisioner)
    {
        if (provisioner is JsonElement { ValueKind: JsonValueKind.Object } root
            && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
            && status.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Object)
        {
            return [.. resources.EnumerateObject().Select(p => p.Name)];
        }

        return [];
    }

    private static bool SameTaint(V1Taint a, V1Taint b) => a.Key == b.Key && a.Effect == b.Effect;

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static JsonObject Map(IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var map = new JsonObject();
        foreach (var (key, value) in values)
        {
            map[key] = value;
        }

        return map;
    }

    private static JsonArray Taints(IEnumerable<V1Taint> taints) => new([.. taints.Select(t =>
    {
        var taint = new JsonObject { ["key"] = t.Key };
        if (!string.IsNullOrEmpty(t.Value))
        {
            taint["value"] = t.Value;
        }

        taint["effect"] = t.Effect;
        if (t.TimeAdded is { } added)
        {
            taint["timeAdded"] = added.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        return (JsonNode?)taint;
    })]);

    private static V1Taint ToV1Taint(Taint taint) => new()
    {
        Key = taint.Key,
        Value = string.IsNullOrEmpty(taint.Value) ? null : taint.Value,
        Effect = Taint.EffectName(taint.Effect),
    };

    private static Dictionary<string, ResourceQuantity>? ToQuantities(ResourceList resources) =>
        resources.IsEmpty
            ? null
            : resources.ToStrings().ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value), StringComparer.Ordinal);

    private async Task<V1Pod?> ReadPodAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedPodAsync(podName, podNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
