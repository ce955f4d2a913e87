using BenchmarkDotNet.Attributes;
using Capstan.Aws.Catalog;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Testing;

namespace Capstan.Benchmarks;

/// <summary>
/// One provisioning pass after its batch closed, with 10,000 pending pods: snapshot, packing, every launch request
/// issued to a cloud double that answers at once, every Node created and every pod bound, on the in-memory cluster.
/// <c>Tutorial</c> is inflate's shape (1 cpu, 1.5Gi); <c>Mixed</c> seeded shapes from 100m/128Mi to 4 cpu/16Gi. The
/// provisioner is the tutorial's (on demand, amd64, xlarge and up) over the whole built-in catalog.
/// </summary>
[MemoryDiagnoser]
public class ProvisioningBenchmarks
{
    private IReadOnlyList<InstanceType> _types = null!;
    private ProvisioningController _controller = null!;
    private InstantCloud _cloud = null!;

    [Params("Tutorial", "Mixed")]
    public string Shape { get; set; } = "Tutorial";

    [GlobalSetup]
    public void Setup() => _types = InstanceCatalog.BuiltIn.InstanceTypes();

    [IterationSetup]
    public void Fill()
    {
        var cluster = BenchmarkControllers.TutorialCluster();
        var pods = Shape == "Tutorial"
            ? PodBuilder.Replicas(new PodBuilder("inflate", "apps").Cpu("1").Memory("1536Mi").NodeSelector("intent", "apps").Build(), "inflate", 10_000)
            : PackingFixtures.MixedPods(10_000);
        foreach (var pod in pods)
        {
            cluster.UpsertPod(new PodView { Request = pod, ScheduledStatus = "False", ScheduledReason = PodView.UnschedulableReason, OwnerKind = "ReplicaSet" });
        }

        var cloud = _cloud = new InstantCloud(_types);
        _controller = BenchmarkControllers.Provisioning(cluster, _types, cloud, new ProvisioningOptions { LaunchConcurrency = 100 }).Controller;
    }

    /// <summary>The whole pass: every claim launched, its Node created and its pods bound.</summary>
    [Benchmark]
    public Task Pass() => _controller.ProvisionAsync(new HashSet<string>(), CancellationToken.None);

    /// <summary>
    /// The budgeted part: snapshot, plan and every launch request issued. The cloud double answers each launch with
    /// no capacity, so the pass ends once the last request is out (no Nodes, no bindings).
    /// </summary>
    [Benchmark]
    public Task UntilLaunchesIssued()
    {
        _cloud.Refuse = true;
        return _controller.ProvisionAsync(new HashSet<string>(), CancellationToken.None);
    }
}

/// <summary>Launches the claim's first option in its first allowed offering, at once.</summary>
internal sealed class InstantCloud(IReadOnlyList<InstanceType> types) : ICloudProvider
{
    private int _next;

    public bool Refuse { get; set; }

    public Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken) =>
        Task.FromResult(types);

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        var type = request.InstanceTypes[0];
        var offering = type.CheapestOffering(request.Requirements)!;
        if (Refuse)
        {
            return Task.FromResult(LaunchResult.InsufficientCapacity([new OfferingFailure(type.Name, offering.Zone, offering.CapacityType, "InsufficientInstanceCapacity", "none")]));
        }

        var n = Interlocked.Increment(ref _next);
        return Task.FromResult(LaunchResult.Success(new CloudInstance
        {
            InstanceId = $"i-{n:x17}",
            ProviderId = $"aws:///{offering.Zone}/i-{n:x17}",
            InstanceType = type.Name,
            Zone = offering.Zone,
            CapacityType = offering.CapacityType,
            PrivateDnsName = $"ip-10-{n / 65536 % 256}-{n / 256 % 256}-{n % 256}.ec2.internal",
            LaunchTime = DateTimeOffset.UnixEpoch,
            State = "pending",
            ClaimName = request.ClaimName,
            ProvisionerName = request.ProvisionerName,
        }));
    }

    public Task<bool> TerminateAsync(string providerId, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<CloudInstance?> GetAsync(string providerId, CancellationToken cancellationToken) => Task.FromResult<CloudInstance?>(null);

    public Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<CloudInstance>>([]);

    public void MarkOfferingUnavailable(string instanceType, string zone, string capacityType, string reason)
    {
    }
}
