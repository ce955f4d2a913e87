using Capstan.Controllers.Disruption;
using Capstan.Core.Cluster;
using Capstan.Core.Scheduling;

namespace Capstan.Controllers.Tests;

public sealed class DisruptionControllerTests
{
    private static readonly DisruptionOptions s_options = new() { PollInterval = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task EmptyNode_IsStamped_ThenDeletedAfterTheTtl_AndAPodLandingClearsTheStamp()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { TtlSecondsAfterEmpty = 30 });
        h.AddRunningNode("ip-a", "c6a.xlarge");
        h.AddRunningNode("ip-b", "c6a.xlarge");
        h.AddRunningPods("ip-b", "web", 1);
        var disruption = h.NewDisruption(s_options);

        await disruption.PassAsync(CancellationToken.None);
        Assert.True(h.Cluster.FindNode("ip-a")!.Annotations.ContainsKey(Labels.EmptinessTimestamp));
        Assert.False(h.Cluster.FindNode("ip-b")!.Annotations.ContainsKey(Labels.EmptinessTimestamp));

        h.Time.Advance(TimeSpan.FromSeconds(29));
        await disruption.PassAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode("ip-a")!.MarkedForDeletion);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await disruption.PassAsync(CancellationToken.None);
        var deleted = h.Cluster.FindNode("ip-a")!;
        Assert.True(deleted.MarkedForDeletion);
        Assert.Equal("empty", deleted.Annotations[Labels.TerminationReason]);
        Assert.False(h.Cluster.FindNode("ip-b")!.MarkedForDeletion);
    }

    /// <summary>One empty node ip-a under a 30 s emptiness TTL, stamped by a first pass.</summary>
    private static async Task<DisruptionController> StampedEmptyNodeAsync(ControllerHarness h)
    {
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { TtlSecondsAfterEmpty = 30 });
        h.AddRunningNode("ip-a", "c6a.xlarge");
        var disruption = h.NewDisruption(s_options);
        await disruption.PassAsync(CancellationToken.None);
        Assert.True(h.Cluster.FindNode("ip-a")!.Annotations.ContainsKey(Labels.EmptinessTimestamp));
        return disruption;
    }

    [Fact]
    public async Task EmptinessStamp_IsClearedWhenAPodLands()
    {
        using var h = new ControllerHarness();
        var disruption = await StampedEmptyNodeAsync(h);

        h.AddRunningPods("ip-a", "web", 1);
        await disruption.PassAsync(CancellationToken.None);

        Assert.False(h.Cluster.FindNode("ip-a")!.Annotations.ContainsKey(Labels.EmptinessTimestamp));
    }

    [Fact]
    public async Task WithoutAnyDisruptionConfigured_APassAsksTheCloudNothing_ButAStaleStampIsStillCleared()
    {
        using var h = new ControllerHarness();
        var disruption = await StampedEmptyNodeAsync(h);

        h.ChangeProvisioner(p => p with { TtlSecondsAfterEmpty = null });
        await disruption.PassAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode("ip-a")!.Annotations.ContainsKey(Labels.EmptinessTimestamp));

        var calls = h.Cloud.GetInstanceTypesCalls;
        await disruption.PassAsync(CancellationToken.None);
        await disruption.PassAsync(CancellationToken.None);
        Assert.Equal(calls, h.Cloud.GetInstanceTypesCalls);
        Assert.False(h.Cluster.FindNode("ip-a")!.MarkedForDeletion);
    }

    [Fact]
    public async Task NothingIsDisrupted_WhilePodsWaitForCapacity()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { TtlSecondsAfterEmpty = 30, ConsolidationEnabled = true });
        h.AddRunningNode("ip-a", "c6a.xlarge");
        var disruption = h.NewDisruption(s_options);
        await disruption.PassAsync(CancellationToken.None);
        h.AddUnschedulable("waiting", 1, cpu: "64");

        h.Time.Advance(TimeSpan.FromMinutes(5));
        await disruption.PassAsync(CancellationToken.None);

        Assert.False(h.Cluster.FindNode("ip-a")!.MarkedForDeletion);
    }

    [Fact]
    public async Task MaxConcurrent_DeletesOneEmptyNodeAtATime()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { TtlSecondsAfterEmpty = 30 });
        h.AddRunningNode("ip-a", "c6a.xlarge");
        h.AddRunningNode("ip-b", "c6a.xlarge");
        var disruption = h.NewDisruption(s_options);
        await disruption.PassAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(30));

        await disruption.PassAsync(CancellationToken.None);

        Assert.Single(h.Cluster.Nodes(), n => n.MarkedForDeletion);
    }

    [Fact]
    public async Task Consolidation_DeletesANodeWhosePodsFitElsewhere_AfterRevalidation()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { ConsolidationEnabled = true });
        h.AddRunningNode("ip-a", "c6a.xlarge");
        h.AddRunningNode("ip-b", "c6a.xlarge");
        h.AddRunningPods("ip-a", "a", 1);
        h.AddRunningPods("ip-b", "b", 2);
        var disruption = h.NewDisruption(s_options);

        await disruption.PassAsync(CancellationToken.None);
        Assert.Equal("consolidation", h.Cluster.FindNode("ip-a")!.Annotations[Labels.DisruptionAnnotation]);
        Assert.False(h.Cluster.FindNode("ip-a")!.MarkedForDeletion);

        h.Time.Advance(TimeSpan.FromSeconds(14));
        await disruption.PassAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode("ip-a")!.MarkedForDeletion);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await disruption.PassAsync(CancellationToken.None);

        Assert.Equal("consolidation", h.Cluster.FindNode("ip-a")!.Annotations[Labels.TerminationReason]);
        Assert.True(h.Cluster.FindNode("ip-a")!.MarkedForDeletion);
        Assert.False(h.Cluster.FindNode("ip-b")!.MarkedForDeletion);
    }

    [Fact]
    public async Task Consolidation_IsAbandoned_WhenTheClusterChangesDuringRevalidation()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { ConsolidationEnabled = true });
        h.AddRunningNode("ip-a", "c6a.xlarge");
        h.AddRunningNode("ip-b", "c6a.xlarge");
        h.AddRunningPods("ip-a", "a", 1);
        h.AddRunningPods("ip-b", "b", 2);
        var disruption = h.NewDisruption(s_options);
        await disruption.PassAsync(CancellationToken.None);

        // The room ip-a's pod would have taken on ip-b is taken meanwhile.
        h.AddRunningPods("ip-b", "late", 2);
        h.Time.Advance(TimeSpan.FromSeconds(15));
        await disruption.PassAsync(CancellationToken.None);

        Assert.False(h.Cluster.FindNode("ip-a")!.MarkedForDeletion);
        Assert.False(h.Cluster.FindNode("ip-a")!.Annotations.ContainsKey(Labels.DisruptionAnnotation));
    }

    [Fact]
    public async Task Consolidation_ReplacesAnOversizedNodeWithACheaperOne_ReplacementFirst()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { ConsolidationEnabled = true });
        h.AddRunningNode("ip-big", "c6a.2xlarge");
        h.AddRunningPods("ip-big", "web", 1);
        var disruption = h.NewDisruption(s_options);

        await disruption.PassAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(15));
        await disruption.PassAsync(CancellationToken.None);

        // Cordoned and handed over; not deleted before the replacement exists.
        Assert.True(h.Cluster.FindNode("ip-big")!.Unschedulable);
        Assert.False(h.Cluster.FindNode("ip-big")!.MarkedForDeletion);
        await h.PassAsync();
        var replacement = Assert.Single(h.Cluster.Nodes(), n => n.InFlight);
        Assert.Equal("c6a.large", replacement.Labels[Labels.InstanceType]);

        await disruption.PassAsync(CancellationToken.None);

        Assert.True(h.Cluster.FindNode("ip-big")!.MarkedForDeletion);
        Assert.Equal("consolidation", h.Cluster.FindNode("ip-big")!.Annotations[Labels.TerminationReason]);
    }

    [Fact]
    public async Task Consolidation_NeverReplacesASpotNode()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { ConsolidationEnabled = true });
        h.AddRunningNode("ip-big", "c6a.2xlarge", Labels.CapacityTypeSpot);
        h.AddRunningPods("ip-big", "web", 1);
        var disruption = h.NewDisruption(s_options);

        await disruption.PassAsync(CancellationToken.None);

        Assert.False(h.Cluster.FindNode("ip-big")!.Annotations.ContainsKey(Labels.DisruptionAnnotation));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("do-not-consolidate")]
    [InlineData("do-not-evict")]
    [InlineData("no-controller")]
    [InlineData("budget")]
    public async Task Consolidation_LeavesProtectedNodesAlone(string protection)
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { ConsolidationEnabled = true });
        var a = h.AddRunningNode("ip-a", "c6a.xlarge");
        h.AddRunningNode("ip-b", "c6a.xlarge");
        h.AddRunningPods("ip-a", "a", 1, change: pod => protection switch
        {
            "do-not-evict" => pod with { Request = pod.Request with { DoNotEvict = true } },
            "no-controller" => pod with { OwnerKind = null, OwnerName = null },
            _ => pod,
        });
        h.AddRunningPods("ip-b", "b", 3);
        if (protection == "do-not-consolidate")
        {
            h.Cluster.UpsertNode(a with { Annotations = new Dictionary<string, string> { [Labels.DoNotConsolidate] = "true" } });
        }

        if (protection == "budget")
        {
            h.Cluster.UpsertDisruptionBudget(new DisruptionBudget
            {
                Namespace = "apps",
                Name = "a",
                Selector = LabelSelector.Everything,
                DisruptionsAllowed = 0,
            });
        }

        var disruption = h.NewDisruption(s_options);
        await disruption.PassAsync(CancellationToken.None);

        // Unprotected, ip-a (one pod, which fits on ip-b) is the first choice; protected, it is never chosen.
        Assert.Equal(protection == "none", h.Cluster.FindNode("ip-a")!.Annotations.ContainsKey(Labels.DisruptionAnnotation));
    }

    [Fact]
    public async Task ExpiredNode_WhosePodsFitElsewhere_IsDeleted()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { TtlSecondsUntilExpired = 3600 });
        h.AddRunningNode("ip-old", "c6a.xlarge", created: h.Time.GetUtcNow() - TimeSpan.FromHours(2));
        h.AddRunningNode("ip-new", "c6a.xlarge");
        h.AddRunningPods("ip-old", "old", 1);
        var disruption = h.NewDisruption(s_options);

        await disruption.PassAsync(CancellationToken.None);

        Assert.Equal("expired", h.Cluster.FindNode("ip-old")!.Annotations[Labels.TerminationReason]);
        Assert.True(h.Cluster.FindNode("ip-old")!.MarkedForDeletion);
        Assert.False(h.Cluster.FindNode("ip-new")!.MarkedForDeletion);
    }

    [Fact]
    public async Task ExpiredNode_IsReplacedFirst_ThenDeleted()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.ChangeProvisioner(p => p with { TtlSecondsUntilExpired = 3600 });
        h.AddRunningNode("ip-old", "c6a.xlarge", created: h.Time.GetUtcNow() - TimeSpan.FromHours(2));
        h.AddRunningPods("ip-old", "old", 3);
        var disruption = h.NewDisruption(s_options);

        await disruption.PassAsync(CancellationToken.None);
        Assert.True(h.Cluster.FindNode("ip-old")!.Unschedulable);
        Assert.False(h.Cluster.FindNode("ip-old")!.MarkedForDeletion);

        await h.PassAsync();
        Assert.Single(h.Cluster.Nodes(), n => n.InFlight);
        await disruption.PassAsync(CancellationToken.None);

        Assert.True(h.Cluster.FindNode("ip-old")!.MarkedForDeletion);
        Assert.Equal("expired", h.Cluster.FindNode("ip-old")!.Annotations[Labels.TerminationReason]);
    }
}
