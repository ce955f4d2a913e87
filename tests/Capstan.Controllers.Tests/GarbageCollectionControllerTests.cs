using Capstan.Controllers.Disruption;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Controllers.Tests;

public sealed class GarbageCollectionControllerTests
{
    [Fact]
    public async Task LeakedInstance_IsTerminatedOnlyOnceOlderThanTheRegistrationTtl_AYoungerOneIsLeft()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var gc = h.NewGarbageCollection();
        var old = h.Cloud.RunOrphan("default-claim-lost");
        h.Time.Advance(TimeSpan.FromMinutes(10));
        var young = h.Cloud.RunOrphan("default-claim-late");

        h.Time.Advance(TimeSpan.FromMinutes(5));
        await gc.CollectAsync(CancellationToken.None);
        Assert.Equal(2, h.Cloud.Running);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await gc.CollectAsync(CancellationToken.None);

        Assert.Equal("terminated", State(h, old.InstanceId));
        Assert.Equal("running", State(h, young.InstanceId));
        Assert.Equal(1, recorder.Sum("nodes.terminated.total", ("reason", "gc")));
    }

    [Fact]
    public async Task InstancesWithANode_OrWithoutAClaimTag_AreKept_HoweverOld()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 2);
        await h.PassAsync();
        var untagged = h.Cloud.RunOrphan(claimName: null);

        h.Time.Advance(TimeSpan.FromHours(3));
        await h.NewGarbageCollection().CollectAsync(CancellationToken.None);

        Assert.Equal(2, h.Cloud.Running);
        Assert.Equal("running", State(h, untagged.InstanceId));
        Assert.Single(h.CapstanNodes(), n => !n.MarkedForDeletion);
    }

    [Fact]
    public async Task NodeWhoseInstanceWasTerminated_IsDeletedWithReasonGc_AndOnlyItsInstanceIsLookedUp()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("big", 2, cpu: "6");
        await h.PassAsync();
        Assert.Equal(2, h.CapstanNodes().Count);
        foreach (var node in h.CapstanNodes())
        {
            h.Register(node.Name);
        }

        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        var (gone, kept) = (h.CapstanNodes()[0], h.CapstanNodes()[1]);
        await h.Cloud.TerminateAsync(gone.ProviderId!, CancellationToken.None);

        await h.NewGarbageCollection().CollectAsync(CancellationToken.None);

        var deleting = h.Cluster.FindNode(gone.Name)!;
        Assert.True(deleting.MarkedForDeletion);
        Assert.Equal("gc", deleting.Annotations[Labels.TerminationReason]);
        Assert.False(h.Cluster.FindNode(kept.Name)!.MarkedForDeletion);
        Assert.Equal(1, h.Cloud.GetCalls);

        // The termination finalizer's controller: nothing to drain on a node whose instance is gone.
        await h.TerminationPassAsync();
        await h.TerminationPassAsync();
        Assert.Null(h.Cluster.FindNode(gone.Name));
        Assert.NotNull(h.Cluster.FindNode(kept.Name));
    }

    [Fact]
    public async Task NodeWhoseInstanceTheCloudDoesNotKnow_IsDeletedOnlyAfterTheGrace()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 1);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());
        h.Cloud.Forget(node.ProviderId!);
        var gc = h.NewGarbageCollection();

        h.Time.Advance(GarbageCollectionController.NotFoundGrace - TimeSpan.FromSeconds(1));
        await gc.CollectAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await gc.CollectAsync(CancellationToken.None);

        var deleting = h.Cluster.FindNode(node.Name)!;
        Assert.True(deleting.MarkedForDeletion);
        Assert.Equal("gc", deleting.Annotations[Labels.TerminationReason]);
    }

    [Fact]
    public async Task CloudError_EndsThePass_AndTheNextPassDoesTheWork()
    {
        using var h = new ControllerHarness();
        var leaked = h.Cloud.RunOrphan("default-claim-lost");
        h.Time.Advance(TimeSpan.FromHours(1));
        var gc = h.NewGarbageCollection();

        h.Cloud.Unreachable = true;
        await gc.CollectAsync(CancellationToken.None);
        h.Cloud.Unreachable = false;
        Assert.Equal("running", State(h, leaked.InstanceId));

        await gc.CollectAsync(CancellationToken.None);
        Assert.Equal("terminated", State(h, leaked.InstanceId));
    }

    [Fact]
    public async Task Loop_CollectsAtStart_ThenEveryInterval()
    {
        using var h = new ControllerHarness();
        var first = h.Cloud.RunOrphan("default-claim-1");
        h.Time.Advance(TimeSpan.FromHours(1));
        using var stop = new CancellationTokenSource();
        var loop = h.NewGarbageCollection(new GarbageCollectionOptions { Interval = TimeSpan.FromMinutes(2) }).RunAsync(stop.Token);

        await Until(() => State(h, first.InstanceId) == "terminated");
        var second = h.Cloud.RunOrphan("default-claim-2");
        var passesAfterTheTtl = 0;
        for (var i = 0; i < 100 && State(h, second.InstanceId) != "terminated"; i++)
        {
            // A minute at a time: the loop may not have set its timer yet when the clock first moves.
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
            passesAfterTheTtl += h.Time.GetUtcNow() - second.LaunchTime > h.Options.RegistrationTtl ? 1 : 0;
        }

        Assert.Equal("terminated", State(h, second.InstanceId));
        Assert.InRange(passesAfterTheTtl, 1, 3);

        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public void Validator_NamesTheKey_OfAnIntervalTooShort()
    {
        var validator = new GarbageCollectionOptionsValidator();

        Assert.True(validator.Validate(null, new GarbageCollectionOptions()).Succeeded);
        var result = validator.Validate(null, new GarbageCollectionOptions { Interval = TimeSpan.FromSeconds(1) });

        Assert.True(result.Failed);
        Assert.Contains("Capstan:GarbageCollection:Interval", result.FailureMessage, StringComparison.Ordinal);
    }

    private static string State(ControllerHarness h, string instanceId) => h.Cloud.Instances.Single(i => i.InstanceId == instanceId).State;

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }

        Assert.True(condition());
    }
}
