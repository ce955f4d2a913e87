using System.Collections.Concurrent;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Extender.Tests;

/// <summary>A cluster writer that records bindings and yields before answering, so parallel binds interleave.</summary>
internal sealed class RecordingClusterWriter : IClusterWriter
{
    private readonly ConcurrentQueue<(string Pod, string Node)> _bindings = new();

    public IReadOnlyList<(string Pod, string Node)> Bindings => [.. _bindings];

    public Exception? Failure { get; set; }

    /// <summary>When true, a bind waits until it is cancelled, as against an API server that never answers.</summary>
    public bool Hang { get; set; }

    public async Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        }

        if (Failure is not null)
        {
            throw Failure;
        }

        _bindings.Enqueue((podNamespace + "/" + podName, nodeName));
    }

    public Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CordonAsync(string nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> UncordonAsync(string nodeName, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task DeletePodAsync(string podNamespace, string podName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> AddNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> RemoveNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> SetNodeLabelsAsync(string nodeName, IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> SetNodeAnnotationsAsync(string nodeName, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> AddNodeTaintAsync(string nodeName, Taint taint, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> RemoveNodeTaintAsync(string nodeName, string key, TaintEffect effect, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> PatchProvisionerStatusAsync(string provisionerName, ResourceList resources, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task RecordEventAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken) => Task.CompletedTask;
}
