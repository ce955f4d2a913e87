using Capstan.Core.Cluster;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Controllers.Tests;

/// <summary>
/// Consolidation run to rest on a fragmented cluster, with kube-scheduler's part played by a first-fit placement and
/// the drain by moving the pods: the fleet's price ends within 10 % of what the planner picks for the same pods from
/// scratch.
/// </summary>
public sealed class ConsolidationQualityTests
{
    [Theory]
    [InlineData("c6a.xlarge", 2, "1")]
    [InlineData("c6a.2xlarge", 3, "1")]
    [InlineData("c6a.2xlarge", 2, "1500m")]
    public async Task ThirtyHalfEmptyNodes_SettleWithin10PercentOfAFreshPlan(string type, int podsPerNode, string cpu)
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { ConsolidationEnabled = true });
        var pods = new List<PodRequest>();
        for (var n = 0; n < 30; n++)
        {
            var name = $"ip-{n:00}";
            h.AddRunningNode(name, type);
            pods.AddRange(h.AddRunningPods(name, $"web{n:00}", podsPerNode, cpu));
        }

        var before = Price(h);
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var disruption = h.NewDisruption(new Disruption.DisruptionOptions { PollInterval = TimeSpan.FromSeconds(1) });
        var quiet = 0;
        for (var round = 0; round < 400 && quiet < 3; round++)
        {
            var annotated = h.Cluster.Nodes().Count(n => n.DisruptionCandidate || n.MarkedForDeletion);
            await disruption.PassAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromSeconds(16));
            await h.PassAsync();
            RegisterNewNodes(h);
            Drain(h);
            quiet = annotated == 0 && h.Cluster.Nodes().All(n => !n.DisruptionCandidate && !n.MarkedForDeletion) ? quiet + 1 : 0;
        }

        Assert.All(pods, p => Assert.NotNull(h.Cluster.NodeOf(p.Namespace, p.Name)));
        var after = Price(h);
        var fresh = Packer.Solve(new Snapshot
        {
            PendingPods = pods,
            Nodes = [],
            Provisioners = [new ProvisionerState(h.Cluster.Provisioners().Single()) { InstanceTypes = ControllerHarness.DefaultTypes() }],
            InstanceTypes = ControllerHarness.DefaultTypes(),
        }).TotalPricePerHour;
        Assert.True(after < before, $"consolidation saved nothing: ${before:0.000}/h -> ${after:0.000}/h");
        Assert.True(after <= fresh * 1.10, $"settled at ${after:0.000}/h, a fresh plan costs ${fresh:0.000}/h; {recorder.Sum("disruption.actions.total", ("result", "succeeded"))} actions, {h.Cluster.Nodes().Count} nodes");
    }

    private static double Price(ControllerHarness h) => h.Cluster.Nodes().Where(n => !n.MarkedForDeletion).Sum(n => n.PricePerHour ?? 0);

    /// <summary>Launched replacements register and initialize at once.</summary>
    private static void RegisterNewNodes(ControllerHarness h)
    {
        foreach (var node in h.Cluster.Nodes().Where(n => n.InFlight && !n.MarkedForDeletion).ToList())
        {
            var labels = new Dictionary<string, string>(node.Labels) { [Labels.Initialized] = "true" };
            h.Cluster.UpsertNode(node with { Ready = true, InFlight = false, Labels = labels, Taints = [] });
        }
    }

    /// <summary>Deleted nodes go, their pods land first-fit on the remaining open nodes as kube-scheduler would place them.</summary>
    private static void Drain(ControllerHarness h)
    {
        foreach (var node in h.Cluster.Nodes().Where(n => n.MarkedForDeletion).ToList())
        {
            var moving = node.Pods.ToList();
            foreach (var pod in moving)
            {
                h.Cluster.RemovePod(pod.Namespace, pod.Name);
            }

            h.Cluster.RemoveNodeFinalizerAsync(node.Name, Finalizers.Termination, CancellationToken.None).GetAwaiter().GetResult();
            foreach (var pod in moving)
            {
                var target = h.Cluster.Nodes()
                    .Where(n => !n.MarkedForDeletion && !n.Unschedulable && !n.DisruptionCandidate && !n.InFlight)
                    .FirstOrDefault(n => pod.Requests.FitsIn(n.Allocatable.Subtract(n.Requested())));
                h.Cluster.UpsertPod(target is null
                    ? h.Unschedulable(pod)
                    : new PodView { Request = pod, NodeName = target.Name, Phase = "Running", OwnerKind = "ReplicaSet", ScheduledStatus = "True" });
            }
        }
    }
}
