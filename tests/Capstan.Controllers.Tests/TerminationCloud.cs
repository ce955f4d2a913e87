using System.Collections.Concurrent;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Controllers.Tests;

/// <summary>
/// The fake cloud as the termination controller sees it: every terminate call counted, instances the cloud has
/// forgotten (its answer is null), and a terminate that works but whose answer is lost (a crash mid-call).
/// </summary>
internal sealed class TerminationCloud(FakeCloud inner) : ICloudProvider
{
    private readonly ConcurrentQueue<string> _terminateCalls = new();

    /// <summary>The provider ids of every terminate call, in order.</summary>
    public IReadOnlyList<string> TerminateCalls => [.. _terminateCalls];

    /// <summary>Provider ids the cloud no longer knows.</summary>
    public ConcurrentDictionary<string, bool> Vanished { get; } = new(StringComparer.Ordinal);

    /// <summary>The next terminate calls terminate the instance and then fail.</summary>
    public int FailAfterTerminating { get; set; }

    public Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken) =>
        inner.GetInstanceTypesAsync(nodeTemplate, kubelet, cancellationToken);

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken) => inner.LaunchAsync(request, cancellationToken);

    public void MarkOfferingUnavailable(string instanceType, string zone, string capacityType, string reason) =>
        inner.MarkOfferingUnavailable(instanceType, zone, capacityType, reason);

    public async Task<bool> TerminateAsync(string providerId, CancellationToken cancellationToken)
    {
        _terminateCalls.Enqueue(providerId);
        var done = await inner.TerminateAsync(providerId, cancellationToken);
        if (FailAfterTerminating > 0)
        {
            FailAfterTerminating--;
            throw new CloudProviderException("TerminateInstances", "RequestExpired", "the connection to EC2 was lost", retryable: false);
        }

        return done;
    }

    public Task<CloudInstance?> GetAsync(string providerId, CancellationToken cancellationToken) =>
        Vanished.ContainsKey(providerId) ? Task.FromResult<CloudInstance?>(null) : inner.GetAsync(providerId, cancellationToken);

    public async Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await inner.ListAsync(cancellationToken)).Where(i => !Vanished.ContainsKey(i.ProviderId))];
}
