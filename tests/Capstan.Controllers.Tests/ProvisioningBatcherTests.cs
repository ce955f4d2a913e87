using Capstan.Controllers.Provisioning;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Controllers.Tests;

public sealed class ProvisioningBatcherTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ProvisioningBatcher _batcher;

    public ProvisioningBatcherTests()
    {
        _batcher = new ProvisioningBatcher(_time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Batch_ClosesAfterTheIdleWindow_WithEveryPodOnce()
    {
        var next = _batcher.NextAsync(CancellationToken.None);
        Assert.True(_batcher.Add("apps/a"));
        Assert.True(_batcher.Add("apps/b"));
        Assert.False(_batcher.Add("apps/a"));

        await AdvanceAsync(TimeSpan.FromMilliseconds(900));
        Assert.False(next.IsCompleted);
        await AdvanceAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal(["apps/a", "apps/b"], (await next.WaitAsync(TimeSpan.FromSeconds(5))).Order());
        Assert.Equal(0, _batcher.Count);
    }

    [Fact]
    public async Task Batch_EachArrivalExtendsTheIdleWindow_UpToTheMaxWindow()
    {
        var next = _batcher.NextAsync(CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            _batcher.Add($"apps/p{i}");
            await AdvanceAsync(TimeSpan.FromMilliseconds(600));
            if (next.IsCompleted)
            {
                break;
            }
        }

        var batch = await next.WaitAsync(TimeSpan.FromSeconds(5));
        // Closed by the 10 s max window: pods arrived every 0.6 s, never leaving 1 s idle.
        Assert.InRange(batch.Count, 16, 18);
    }

    [Fact]
    public async Task PodsAfterABatchClosed_OpenTheNextBatch()
    {
        var first = _batcher.NextAsync(CancellationToken.None);
        _batcher.Add("apps/a");
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["apps/a"], await first.WaitAsync(TimeSpan.FromSeconds(5)));

        var second = _batcher.NextAsync(CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.False(second.IsCompleted);
        _batcher.Add("apps/a");
        await AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(["apps/a"], await second.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        // Move the clock only once the waiter sleeps on it (a batch is open), so that no move is missed.
        if (_batcher.Count > 0)
        {
            for (var i = 0; i < 500 && _batcher.Parked == 0; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
            }
        }

        _time.Advance(by);
        await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
    }
}
