using System.Collections.Concurrent;
using System.Globalization;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Controllers.Tests;

/// <summary>
/// The cloud port as a test double: launches the first option whose offering the claim allows and that has
/// capacity, idempotently on the claim name (as a ClientToken is), and keeps the instances it runs. Faults are set per test.
/// </summary>
internal sealed class FakeCloud(IReadOnlyList<InstanceType> types, TimeProvider time) : ICloudProvider
{
    private readonly ConcurrentDictionary<string, CloudInstance> _byClaim = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CloudInstance> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<LaunchRequest> _requests = new();
    private readonly ConcurrentQueue<(string Offering, string Reason)> _marked = new();
    private int _next;
    private int _launching;
    private int _maxLaunching;

    public IReadOnlyList<LaunchRequest> Requests => [.. _requests];

    public IReadOnlyList<CloudInstance> Instances => [.. _instances.Values.OrderBy(i => i.InstanceId, StringComparer.Ordinal)];

    /// <summary>Offerings (<c>type/zone/capacity-type</c>) without capacity.</summary>
    public HashSet<string> NoCapacity { get; } = new(StringComparer.Ordinal);

    /// <summary>The next launches throw a retryable error before doing anything.</summary>
    public int TransientFailures { get; set; }

    /// <summary>The next launches run the instance and then fail (the caller cannot tell it worked), not retryable.</summary>
    public int FailAfterLaunching { get; set; }

    public int GetInstanceTypesCalls { get; private set; }

    /// <summary>Runs at the start of every launch (to change the cluster while a launch is under way).</summary>
    public Action? OnLaunch { get; set; }

    /// <summary>The offerings marked unavailable (<c>type/zone/capacity-type</c> and the reason), in order.</summary>
    public IReadOnlyList<(string Offering, string Reason)> MarkedUnavailable => [.. _marked];

    /// <summary>Cloud calls (list, get, terminate) throw a retryable error while set.</summary>
    public bool Unreachable { get; set; }

    public Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken)
    {
        GetInstanceTypesCalls++;
        if (_marked.IsEmpty)
        {
            return Task.FromResult(types);
        }

        // As the AWS provider does for three minutes: a marked offering is reported unavailable.
        var marked = _marked.Select(m => m.Offering).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<InstanceType>>([.. types.Select(t => new InstanceType(t.Name, t.Requirements, t.Capacity, t.Overhead,
            [.. t.Offerings.Select(o => marked.Contains($"{t.Name}/{o.Zone}/{o.CapacityType}") ? o with { Available = false } : o)]))]);
    }

    public void MarkOfferingUnavailable(string instanceType, string zone, string capacityType, string reason) =>
        _marked.Enqueue(($"{instanceType}/{zone}/{capacityType}", reason));

    /// <summary>While set, every launch waits for this task first (after signalling <see cref="LaunchEntered"/>).</summary>
    public Task? LaunchHold { get; set; }

    /// <summary>Released once by each launch that reached <see cref="LaunchHold"/>.</summary>
    public SemaphoreSlim LaunchEntered { get; } = new(0);

    /// <summary>The most launches that were under way at once.</summary>
    public int MaxConcurrentLaunches => Volatile.Read(ref _maxLaunching);

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        var launching = Interlocked.Increment(ref _launching);
        int seen;
        while ((seen = Volatile.Read(ref _maxLaunching)) < launching && Interlocked.CompareExchange(ref _maxLaunching, launching, seen) != seen)
        {
        }

        try
        {
            if (LaunchHold is { } hold)
            {
                LaunchEntered.Release();
                await hold.ConfigureAwait(false);
            }

            return await LaunchNowAsync(request).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _launching);
        }
    }

    private Task<LaunchResult> LaunchNowAsync(LaunchRequest request)
    {
        _requests.Enqueue(request);
        OnLaunch?.Invoke();
        if (TransientFailures > 0)
        {
            TransientFailures--;
            throw new CloudProviderException("CreateFleet", "RequestLimitExceeded", "EC2 throttled the request", retryable: true);
        }

        if (_byClaim.TryGetValue(request.ClaimName, out var existing))
        {
            return Task.FromResult(LaunchResult.Success(existing));
        }

        var failures = new List<OfferingFailure>();
        foreach (var type in request.InstanceTypes)
        {
            foreach (var offering in type.Offerings.Where(o => o.Available && Allowed(request.Requirements, o)))
            {
                if (NoCapacity.Contains($"{type.Name}/{offering.Zone}/{offering.CapacityType}"))
                {
                    failures.Add(new OfferingFailure(type.Name, offering.Zone, offering.CapacityType, "InsufficientInstanceCapacity", "no capacity"));
                    continue;
                }

                var instance = Run(request, type, offering);
                if (FailAfterLaunching > 0)
                {
                    FailAfterLaunching--;
                    throw new CloudProviderException("CreateFleet", "InternalError", "EC2 failed with an internal error", retryable: false);
                }

                return Task.FromResult(LaunchResult.Success(instance, failures));
            }
        }

        return Task.FromResult(LaunchResult.InsufficientCapacity(failures));
    }

    public Task<bool> TerminateAsync(string providerId, CancellationToken cancellationToken)
    {
        ThrowWhenUnreachable("TerminateInstances");
        var id = providerId[(providerId.LastIndexOf('/') + 1)..];
        if (!_instances.TryGetValue(id, out var instance))
        {
            return Task.FromResult(false);
        }

        _instances[id] = instance with { State = "terminated" };
        return Task.FromResult(true);
    }

    public Task<CloudInstance?> GetAsync(string providerId, CancellationToken cancellationToken)
    {
        ThrowWhenUnreachable("DescribeInstances");
        GetCalls++;
        return Task.FromResult(_instances.GetValueOrDefault(providerId[(providerId.LastIndexOf('/') + 1)..]));
    }

    public Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken)
    {
        ThrowWhenUnreachable("DescribeInstances");
        return Task.FromResult<IReadOnlyList<CloudInstance>>([.. _instances.Values.Where(i => i.State != "terminated")]);
    }

    /// <summary>Calls of <see cref="GetAsync"/> so far.</summary>
    public int GetCalls { get; private set; }

    /// <summary>
    /// Runs an instance that no Node has, launched now (as a controller that died between the launch and the Node's
    /// creation leaves one); without a claim name it carries the cluster's tag but no claim's.
    /// </summary>
    public CloudInstance RunOrphan(string? claimName, string zone = "us-east-1a")
    {
        var type = types[0];
        var offering = type.Offerings.First(o => o.Zone == zone);
        var instance = Run(new LaunchRequest
        {
            ClaimName = claimName ?? $"untagged-{_next}",
            ProvisionerName = "default",
            InstanceTypes = [type],
            Requirements = Requirements.Empty,
            Template = new NodeTemplate { Name = "default" },
        }, type, offering) with { ClaimName = claimName, ProvisionerName = claimName is null ? null : "default" };
        _instances[instance.InstanceId] = instance;
        return instance;
    }

    /// <summary>Runs an instance someone else launched (a node group's), so that reads and terminations find it.</summary>
    public void Put(CloudInstance instance) => _instances[instance.InstanceId] = instance;

    /// <summary>The cloud stops knowing the instance at all (long terminated, or never seen by a lagging read).</summary>
    public void Forget(string providerId) => _instances.TryRemove(providerId[(providerId.LastIndexOf('/') + 1)..], out _);

    public int Running => _instances.Values.Count(i => !i.IsTerminating);

    private void ThrowWhenUnreachable(string operation)
    {
        if (Unreachable)
        {
            throw new CloudProviderException(operation, "RequestLimitExceeded", "EC2 throttled the request", retryable: true);
        }
    }

    private static bool Allowed(Requirements requirements, Offering offering) =>
        (requirements.Get(Labels.Zone)?.Allows(offering.Zone) ?? true)
        && (requirements.Get(Labels.CapacityType)?.Allows(offering.CapacityType) ?? true);

    private CloudInstance Run(LaunchRequest request, InstanceType type, Offering offering)
    {
        var n = Interlocked.Increment(ref _next);
        var id = "i-" + n.ToString("x17", CultureInfo.InvariantCulture);
        var instance = new CloudInstance
        {
            InstanceId = id,
            ProviderId = $"aws:///{offering.Zone}/{id}",
            InstanceType = type.Name,
            Zone = offering.Zone,
            CapacityType = offering.CapacityType,
            PrivateDnsName = $"ip-10-0-0-{n}.ec2.internal",
            LaunchTime = time.GetUtcNow(),
            State = "running",
            ClaimName = request.ClaimName,
            ProvisionerName = request.ProvisionerName,
        };
        _instances[id] = instance;
        _byClaim[request.ClaimName] = instance;
        return instance;
    }
}
