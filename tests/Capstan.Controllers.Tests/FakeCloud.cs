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
    private int _next;

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

    public Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken)
    {
        GetInstanceTypesCalls++;
        return Task.FromResult(types);
    }

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
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
        var id = providerId[(providerId.LastIndexOf('/') + 1)..];
        if (!_instances.TryGetValue(id, out var instance))
        {
            return Task.FromResult(false);
        }

        _instances[id] = instance with { State = "terminated" };
        return Task.FromResult(true);
    }

    public Task<CloudInstance?> GetAsync(string providerId, CancellationToken cancellationToken) =>
        Task.FromResult(_instances.GetValueOrDefault(providerId[(providerId.LastIndexOf('/') + 1)..]));

    public Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CloudInstance>>([.. _instances.Values.Where(i => i.State != "terminated")]);

    public int Running => _instances.Values.Count(i => !i.IsTerminating);

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
