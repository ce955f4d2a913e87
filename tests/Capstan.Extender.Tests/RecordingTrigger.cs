using System.Collections.Concurrent;
using Capstan.Core.Pods;
using Capstan.Core.Ports;

namespace Capstan.Extender.Tests;

internal sealed class RecordingTrigger : IProvisioningTrigger
{
    private readonly ConcurrentQueue<PodRequest> _pods = new();

    public IReadOnlyList<PodRequest> Pods => [.. _pods];

    public void Trigger(PodRequest pod) => _pods.Enqueue(pod);
}
