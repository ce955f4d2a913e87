using Capstan.Sandbox.Time;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Sandbox.Tests.Time;

/// <summary>The fast clock against a fake real clock: now, timestamps, delays, periodic timers and cancellations run speed times faster.</summary>
public sealed class AcceleratedTimeProviderTests
{
    private static readonly DateTimeOffset s_realStart = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_simulatedStart = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Delay_AtSpeed10_CompletesAfterOneTenthOfItsLengthOfRealTime()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(10, s_simulatedStart, real);

        var delay = Task.Delay(TimeSpan.FromSeconds(10), clock);
        real.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(delay.IsCompleted);

        real.Advance(TimeSpan.FromMilliseconds(1));
        await delay.WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System);
        Assert.Equal(s_simulatedStart + TimeSpan.FromSeconds(10), clock.GetUtcNow());
    }

    [Fact]
    public void GetUtcNow_RunsSpeedTimesFasterFromItsStart()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(20, s_simulatedStart, real);

        Assert.Equal(s_simulatedStart, clock.GetUtcNow());
        real.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(s_simulatedStart + TimeSpan.FromMinutes(1), clock.GetUtcNow());
        real.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(s_simulatedStart + TimeSpan.FromSeconds(63), clock.GetUtcNow());
    }

    [Fact]
    public void GetUtcNow_WithoutStart_BeginsAtTheRealNow()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(2, real: real);

        real.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(s_realStart + TimeSpan.FromSeconds(2), clock.GetUtcNow());
        Assert.Equal(TimeZoneInfo.Utc, clock.LocalTimeZone);
    }

    [Fact]
    public void GetElapsedTime_RunsAsFastAsTheClock()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(50, s_simulatedStart, real);

        var before = clock.GetTimestamp();
        real.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(100), clock.GetElapsedTime(before));
        Assert.Equal(real.TimestampFrequency, clock.TimestampFrequency);
    }

    [Fact]
    public async Task PeriodicTimer_TicksEveryPeriodOverSpeedOfRealTime()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(10, s_simulatedStart, real);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), clock);

        for (var tick = 1; tick <= 3; tick++)
        {
            var next = timer.WaitForNextTickAsync().AsTask();
            real.Advance(TimeSpan.FromMilliseconds(2999));
            Assert.False(next.IsCompleted, $"tick {tick} came early");
            real.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System));
        }
    }

    [Fact]
    public void CancellationTokenSource_CancelsAfterItsDelayOverSpeed()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(100, s_simulatedStart, real);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5), clock);

        real.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(cts.IsCancellationRequested);
        real.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public void Timer_ChangeAndInfinite_AreScaledAndKept()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(10, s_simulatedStart, real);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        real.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, fired);

        Assert.True(timer.Change(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10)));
        real.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, fired);
        real.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, fired);

        timer.Dispose();
        real.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, fired);
    }

    [Fact]
    public void Timer_TinyPeriod_StaysPeriodic()
    {
        var real = new FakeTimeProvider(s_realStart);
        var clock = new AcceleratedTimeProvider(1000, s_simulatedStart, real);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));

        for (var i = 0; i < 5; i++)
        {
            real.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(6, fired);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1000.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_SpeedOutOfRange_Throws(double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AcceleratedTimeProvider(speed));

    [Theory]
    [InlineData(0.5)]
    [InlineData(1000)]
    public void Constructor_SpeedInRange_IsKept(double speed) =>
        Assert.Equal(speed, new AcceleratedTimeProvider(speed).Speed);

    [Fact]
    public void CreateTimer_NegativeDue_Throws()
    {
        var clock = new AcceleratedTimeProvider(10, s_simulatedStart, new FakeTimeProvider(s_realStart));

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(-1), Timeout.InfiniteTimeSpan));
    }
}
