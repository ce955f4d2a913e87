namespace Capstan.Controllers.Tests;

/// <summary>The loop as it runs on the leader: watch-fed batches on the fake clock.</summary>
public sealed class ProvisioningLoopTests
{
    [Fact]
    public async Task FirstUnschedulablePod_IsLaunchedFor_WhenTheIdleWindowCloses_NotBefore()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        using var stop = new CancellationTokenSource();
        var loop = h.Controller.RunAsync(stop.Token);
        await Settle();

        h.AddUnschedulable("inflate", 1);
        await Parked(h);
        h.Time.Advance(TimeSpan.FromMilliseconds(999));
        await Settle();
        Assert.Empty(h.Cloud.Requests);

        await Parked(h);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Until(() => h.Cluster.NodeOf("apps", "inflate-0") is not null);

        Assert.Single(h.Cloud.Requests);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task PodsArrivingDuringABatch_JoinIt_AndEachPodIsLaunchedForOnce()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        using var stop = new CancellationTokenSource();
        var loop = h.Controller.RunAsync(stop.Token);
        await Settle();

        for (var i = 0; i < 4; i++)
        {
            h.AddUnschedulable($"wave{i}", 2);
            await Until(() => h.Batcher.Count == 2 * (i + 1));
            await Parked(h);
            h.Time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await Parked(h);
        Assert.Empty(h.Cloud.Requests);
        h.Time.Advance(TimeSpan.FromMilliseconds(500));
        await Until(() => h.Cluster.PendingPods().Count == 0);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await Settle();

        Assert.Equal(1, h.Controller.Passes);
        Assert.Equal(8, h.CapstanNodes().Sum(n => n.Pods.Count));
        await stop.CancelAsync();
        await loop;
    }

    /// <summary>Waits until the batcher sleeps on the fake clock (after it saw the newest pod), so a clock move counts.</summary>
    private static async Task Parked(ControllerHarness h)
    {
        await Settle();
        await Until(() => h.Batcher.Parked > 0);
    }

    private static Task Settle() => Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }

        Assert.True(condition());
    }
}
