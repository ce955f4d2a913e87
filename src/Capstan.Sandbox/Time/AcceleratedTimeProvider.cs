namespace Capstan.Sandbox.Time;

/// <summary>
/// A clock that runs <c>speed</c> times faster than a real one, so the sandbox replays a scenario's minutes of
/// node boots, consolidation delays and TTLs in seconds without changing production code: everything that takes a
/// <see cref="TimeProvider"/> (<c>Task.Delay</c>, <c>PeriodicTimer</c>, <c>CancellationTokenSource</c>,
/// <c>GetElapsedTime</c>) sees simulated time.
/// </summary>
/// <remarks>
/// The simulated now is <c>start + real elapsed × speed</c>, and timestamps advance by the same factor at the real
/// clock's frequency. A timer due after <c>d</c> simulated time fires after <c>d / speed</c> of real time; a
/// positive period never shrinks below one real millisecond (the system timer's resolution, below which a period
/// would read as "not periodic"). The local time zone is UTC, so simulated logs do not depend on the machine.
/// </remarks>
public sealed class AcceleratedTimeProvider : TimeProvider
{
    /// <summary>The fastest a clock may run: beyond this, timers' real delays fall below the system's resolution.</summary>
    public const double MaxSpeed = 1000;

    private static readonly TimeSpan s_shortestPeriod = TimeSpan.FromMilliseconds(1);

    private readonly TimeProvider _real;
    private readonly long _origin;
    private readonly DateTimeOffset _start;

    /// <param name="speed">How many simulated seconds pass per real second: more than 0, at most <see cref="MaxSpeed"/>.</param>
    /// <param name="start">The simulated time at construction; the real clock's now when not given.</param>
    /// <param name="real">The clock that measures real time; <see cref="TimeProvider.System"/> when not given.</param>
    public AcceleratedTimeProvider(double speed, DateTimeOffset? start = null, TimeProvider? real = null)
    {
        if (!(speed > 0 && speed <= MaxSpeed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, $"the speed must be more than 0 and at most {MaxSpeed}");
        }

        Speed = speed;
        _real = real ?? System;
        _origin = _real.GetTimestamp();
        _start = start ?? _real.GetUtcNow();
    }

    /// <summary>How many simulated seconds pass per real second.</summary>
    public double Speed { get; }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => _real.TimestampFrequency;

    public override long GetTimestamp() => _origin + ScaledElapsed();

    public override DateTimeOffset GetUtcNow() =>
        _start + TimeSpan.FromTicks((long)(ScaledElapsed() * ((double)TimeSpan.TicksPerSecond / _real.TimestampFrequency)));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new ScaledTimer(this, _real.CreateTimer(callback, state, Due(dueTime), Period(period)));
    }

    /// <summary>Real timestamp ticks since construction, times the speed.</summary>
    private long ScaledElapsed() => (long)((_real.GetTimestamp() - _origin) * Speed);

    private TimeSpan Due(TimeSpan due) => due == Timeout.InfiniteTimeSpan
        ? due
        : due < TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(due), due, "a timer's due time must not be negative")
            : due / Speed;

    private TimeSpan Period(TimeSpan period) => period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero
        ? period
        : period < TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(period), period, "a timer's period must not be negative")
            : TimeSpan.FromTicks(Math.Max((period / Speed).Ticks, s_shortestPeriod.Ticks));

    /// <summary>A real timer whose every change is scaled to simulated time.</summary>
    private sealed class ScaledTimer(AcceleratedTimeProvider clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Due(dueTime), clock.Period(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
