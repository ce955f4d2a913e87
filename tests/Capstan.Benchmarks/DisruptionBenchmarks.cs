using BenchmarkDotNet.Attributes;
using Capstan.Aws.Catalog;
using Capstan.Controllers.Disruption;
using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Pods;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Benchmarks;

/// <summary>
/// One consolidation pass deciding over 1,000 registered nodes (c6a.2xlarge, 8 vCPU) holding 10,000 pods (ten of
/// 0.5 vCPU and 1Gi per node, so each node is about 60 % used): the simulations over the candidates until the first
/// action is found, and its marking.
/// </summary>
[MemoryDiagnoser]
public class DisruptionBenchmarks
{
    private IReadOnlyList<InstanceType> _types = null!;
    private DisruptionController _controller = null!;

    /// <summary><c>Fragmented</c>: 0.5 vCPU pods, the first candidate's pods fit elsewhere. <c>Full</c>: 0.75 vCPU pods,
    /// no candidate can go (every one of the 1,000 is simulated and refused): the worst case.</summary>
    [Params("Fragmented", "Full")]
    public string Load { get; set; } = "Fragmented";

    [GlobalSetup]
    public void Setup() => _types = InstanceCatalog.BuiltIn.InstanceTypes();

    [IterationSetup]
    public void Fill()
    {
        var cluster = BenchmarkControllers.TutorialCluster(consolidation: true);
        var type = _types.Single(t => t.Name == "c6a.2xlarge");
        var template = new PodBuilder("web", "apps").Cpu(Load == "Full" ? "750m" : "500m").Memory("1Gi").NodeSelector("intent", "apps").Build();
        for (var n = 0; n < 1_000; n++)
        {
            var name = $"ip-10-0-{n / 256}-{n % 256}.ec2.internal";
            cluster.UpsertNode(new NodeView
            {
                Name = name,
                Labels = new Dictionary<string, string>
                {
                    [Labels.ProvisionerName] = "default",
                    [Labels.Initialized] = "true",
                    [Labels.InstanceType] = type.Name,
                    [Labels.Zone] = "us-east-1a",
                    [Labels.CapacityType] = Labels.CapacityTypeOnDemand,
                    ["intent"] = "apps",
                },
                Capacity = type.Capacity,
                Allocatable = type.Allocatable,
                Ready = true,
                PricePerHour = 0.306,
                CreatedAt = DateTimeOffset.UnixEpoch,
                Finalizers = [Finalizers.Termination],
            });
            foreach (var pod in PodBuilder.Replicas(template, $"web-{n}", 10))
            {
                cluster.UpsertPod(new PodView { Request = pod, NodeName = name, Phase = "Running", OwnerKind = "ReplicaSet", ScheduledStatus = "True" });
            }
        }

        var (provisioning, sources, meters) = BenchmarkControllers.Provisioning(cluster, _types, new InstantCloud(_types));
        _controller = new DisruptionController(cluster, cluster, sources, provisioning, new DisruptionOptions(), new DisruptionMetrics(meters), TimeProvider.System,
            NullLogger<DisruptionController>.Instance);
    }

    /// <summary>The pass that finds the first consolidation action.</summary>
    [Benchmark]
    public Task Decide() => _controller.PassAsync(CancellationToken.None);
}
