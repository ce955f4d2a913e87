using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Controllers.Tests;

/// <summary>Another writer's calls, except the one named by <see cref="FailOn"/>, which fails as an API server error would.</summary>
internal sealed class FailingWriter(IClusterWriter inner) : IClusterWriter
{
    /// <summary>The method (<c>nameof(IClusterWriter.DeleteNodeAsync)</c>) that throws; null: none does.</summary>
    public string? FailOn { get; set; }

    public Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken) =>
        Check(nameof(BindAsync)) ?? inner.BindAsync(podNamespace, podName, podUid, nodeName, cancellationToken);

    public Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken) =>
        Check(nameof(CreateNodeAsync)) ?? inner.CreateNodeAsync(node, cancellationToken);

    public Task CordonAsync(string nodeName, CancellationToken cancellationToken) =>
        Check(nameof(CordonAsync)) ?? inner.CordonAsync(nodeName, cancellationToken);

    public Task<bool> UncordonAsync(string nodeName, CancellationToken cancellationToken) =>
        Check<bool>(nameof(UncordonAsync)) ?? inner.UncordonAsync(nodeName, cancellationToken);

    public Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken) =>
        Check<bool>(nameof(EvictAsync)) ?? inner.EvictAsync(podNamespace, podName, cancellationToken);

    public Task DeletePodAsync(string podNamespace, string podName, CancellationToken cancellationToken) =>
        Check(nameof(DeletePodAsync)) ?? inner.DeletePodAsync(podNamespace, podName, cancellationToken);

    public Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken) =>
        Check(nameof(DeleteNodeAsync)) ?? inner.DeleteNodeAsync(nodeName, cancellationToken);

    public Task<bool> AddNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken) =>
        Check<bool>(nameof(AddNodeFinalizerAsync)) ?? inner.AddNodeFinalizerAsync(nodeName, finalizer, cancellationToken);

    public Task<bool> RemoveNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken) =>
        Check<bool>(nameof(RemoveNodeFinalizerAsync)) ?? inner.RemoveNodeFinalizerAsync(nodeName, finalizer, cancellationToken);

    public Task<bool> SetNodeLabelsAsync(string nodeName, IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken) =>
        Check<bool>(nameof(SetNodeLabelsAsync)) ?? inner.SetNodeLabelsAsync(nodeName, labels, cancellationToken);

    public Task<bool> SetNodeAnnotationsAsync(string nodeName, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken) =>
        Check<bool>(nameof(SetNodeAnnotationsAsync)) ?? inner.SetNodeAnnotationsAsync(nodeName, annotations, cancellationToken);

    public Task<bool> AddNodeTaintAsync(string nodeName, Taint taint, CancellationToken cancellationToken) =>
        Check<bool>(nameof(AddNodeTaintAsync)) ?? inner.AddNodeTaintAsync(nodeName, taint, cancellationToken);

    public Task<bool> RemoveNodeTaintAsync(string nodeName, string key, TaintEffect effect, CancellationToken cancellationToken) =>
        Check<bool>(nameof(RemoveNodeTaintAsync)) ?? inner.RemoveNodeTaintAsync(nodeName, key, effect, cancellationToken);

    public Task<bool> PatchProvisionerStatusAsync(string provisionerName, ResourceList resources, CancellationToken cancellationToken) =>
        Check<bool>(nameof(PatchProvisionerStatusAsync)) ?? inner.PatchProvisionerStatusAsync(provisionerName, resources, cancellationToken);

    public Task RecordEventAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken) =>
        Check(nameof(RecordEventAsync)) ?? inner.RecordEventAsync(clusterEvent, cancellationToken);

    private Task? Check(string method) => FailOn == method ? Task.FromException(Failure(method)) : null;

    private Task<T>? Check<T>(string method) => FailOn == method ? Task.FromException<T>(Failure(method)) : null;

    private static HttpRequestException Failure(string method) => new($"the API server refused {method}");
}
