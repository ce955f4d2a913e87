using System.Diagnostics.Metrics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Capstan.Kubernetes.LeaderElection;

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease, as client-go's <c>leaderelection</c> package does it but
/// on a <see cref="TimeProvider"/>: a candidate tries every <see cref="LeaderElectionOptions.RetryPeriod"/> to create the
/// lease or to replace it (guarded by the resourceVersion it read) once it has expired; the leader renews it every
/// RetryPeriod and stops leading when no renewal has succeeded for <see cref="LeaderElectionOptions.RenewDeadline"/>.
/// Expiry is judged by this process's clock only: a lease held by another replica expires when this process has seen
/// its record (holder, times, transitions) unchanged for the record's <c>leaseDurationSeconds</c> (else
/// <see cref="LeaderElectionOptions.LeaseDuration"/>), so the clocks of the replicas need not agree. On stop the
/// leader releases the lease (holder cleared, duration 1 s), as client-go's <c>ReleaseOnCancel</c>, so a successor
/// need not wait for it to expire. Publishes <c>capstan_leader</c> (1 while leading, else 0).
/// </summary>
public sealed class LeaseLeaderElector
{
    /// <summary>The meter of the <c>leader</c> gauge, published by prometheus-net as <c>capstan_leader</c>.</summary>
    public const string MeterName = "Capstan";

    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LeaseLeaderElector> _logger;
    private readonly TimeSpan _callTimeout;
    private readonly int _leaseDurationSeconds;

    private volatile bool _leading;
    private int _running;
    private long _waits;
    private LeaseRecord? _observed;
    private long _observedAt;
    private long _lastRenewed;

    public LeaseLeaderElector(IKubernetes client, LeaderElectionOptions options, TimeProvider time, ILogger<LeaseLeaderElector> logger, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(meters);
        if (options.RetryPeriod <= TimeSpan.Zero || options.RenewDeadline <= options.RetryPeriod || options.LeaseDuration <= options.RenewDeadline)
        {
            throw new ArgumentException(
                $"{LeaderElectionOptions.SectionName} needs 0 < RetryPeriod < RenewDeadline < LeaseDuration (got {options.RetryPeriod}, {options.RenewDeadline}, {options.LeaseDuration})",
                nameof(options));
        }

        _client = client;
        _options = options;
        _time = time;
        _logger = logger;
        _callTimeout = options.RenewDeadline / 2;
        _leaseDurationSeconds = Math.Max(1, (int)Math.Ceiling(options.LeaseDuration.TotalSeconds));
        meters.Create(MeterName).CreateObservableGauge("leader", () => _leading ? 1 : 0,
            description: "1 while this replica holds the leader election lease, else 0.");
    }

    private enum Outcome
    {
        /// <summary>We hold the lease (created, acquired or renewed).</summary>
        Held,

        /// <summary>Another replica holds the lease and it has not expired.</summary>
        HeldByOther,

        /// <summary>The API server did not let us know or write: try again.</summary>
        Failed,
    }

    /// <summary>True while this replica holds the lease: from acquiring it until losing or releasing it.</summary>
    public bool IsLeader => _leading;

    /// <summary>This replica's <c>holderIdentity</c>.</summary>
    public string Identity => _options.Identity;

    /// <summary>How many times the elector has started waiting between attempts; tests step a fake clock once it waits.</summary>
    internal long Waits => Interlocked.Read(ref _waits);

    /// <summary>
    /// Competes for the lease until <paramref name="stoppingToken"/> is cancelled. Each time it is acquired,
    /// <paramref name="whileLeading"/> runs, with a token cancelled when leadership ends, alongside the renewals. When
    /// leadership is lost, the token is cancelled and, once <paramref name="whileLeading"/> has returned, the elector
    /// competes again. When <paramref name="whileLeading"/> fails or returns by itself, the lease is released and
    /// acquired again after a RetryPeriod. On stop, <paramref name="whileLeading"/> is cancelled and awaited, then the
    /// lease is released if still held, and the method returns.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(whileLeading);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The leader elector is already running.");
        }

        try
        {
            var wait = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (wait)
                    {
                        await WaitAsync(_options.RetryPeriod, stoppingToken);
                    }

                    await AcquireAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                await LeadAsync(whileLeading, stoppingToken);
                wait = true;
            }
        }
        finally
        {
            _leading = false;
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Tries at once, then every RetryPeriod, until the lease is ours.</summary>
    private async Task AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var attempt = await TryAcquireOrRenewAsync(_callTimeout, cancellationToken);
            if (attempt.Outcome == Outcome.Held)
            {
                return;
            }

            if (attempt.Outcome == Outcome.Failed)
            {
                _logger.LeaseAcquireFailed(attempt.Error, _options.Namespace, _options.LeaseName, attempt.Detail, _options.RetryPeriod);
            }

            await WaitAsync(_options.RetryPeriod, cancellationToken);
        }
    }

    /// <summary>Runs the leader's work alongside the renewals until either ends or we stop; then releases what is still ours.</summary>
    private async Task LeadAsync(Func<CancellationToken, Task> whileLeading, CancellationToken stoppingToken)
    {
        _lastRenewed = _time.GetTimestamp();
        _leading = true;
        _logger.BecameLeader(_options.Namespace, _options.LeaseName, Identity);
        using var leadership = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var work = Task.Run(() => WorkAsync(whileLeading, leadership.Token), CancellationToken.None);
        var renewals = RenewAsync(leadership.Token);
        await Task.WhenAny(work, renewals);

        string? lost = null;
        if (renewals.IsCompletedSuccessfully)
        {
            lost = renewals.Result;
            _leading = false;
            _logger.LostLeadership(_options.Namespace, _options.LeaseName, Identity, lost);
        }

        await leadership.CancelAsync();
        try
        {
            await renewals;
        }
        catch (OperationCanceledException)
        {
            // Leadership ended on our side: the renewals stop.
        }

        await work;
        if (lost is null)
        {
            await ReleaseAsync();
            _leading = false;
        }
    }

    /// <summary>The leader's work; its end, by failure or by returning while still leading, is logged and ends leadership.</summary>
    private async Task WorkAsync(Func<CancellationToken, Task> whileLeading, CancellationToken leadership)
    {
        try
        {
            await whileLeading(leadership);
            if (!leadership.IsCancellationRequested)
            {
                _logger.LeaderWorkEnded(_options.Namespace, _options.LeaseName, _options.RetryPeriod);
            }
        }
        catch (OperationCanceledException) when (leadership.IsCancellationRequested)
        {
            // Cancelled because leadership ended.
        }
        catch (Exception e)
        {
            _logger.LeaderWorkFailed(e, _options.Namespace, _options.LeaseName, _options.RetryPeriod);
        }
    }

    /// <summary>
    /// Renews every RetryPeriod (sooner when the deadline is nearer) and returns why leadership is lost: no renewal
    /// within RenewDeadline, or another holder in the lease. Throws when <paramref name="leadership"/> is cancelled.
    /// </summary>
    private async Task<string> RenewAsync(CancellationToken leadership)
    {
        while (true)
        {
            var remaining = _options.RenewDeadline - _time.GetElapsedTime(_lastRenewed);
            if (remaining <= TimeSpan.Zero)
            {
                return $"no renewal succeeded within {_options.RenewDeadline}";
            }

            await WaitAsync(remaining < _options.RetryPeriod ? remaining : _options.RetryPeriod, leadership);
            remaining = _options.RenewDeadline - _time.GetElapsedTime(_lastRenewed);
            if (remaining <= TimeSpan.Zero)
            {
                return $"no renewal succeeded within {_options.RenewDeadline}";
            }

            var attempt = await TryAcquireOrRenewAsync(remaining < _callTimeout ? remaining : _callTimeout, leadership);
            switch (attempt.Outcome)
            {
                case Outcome.Held:
                    _lastRenewed = _time.GetTimestamp();
                    break;
                case Outcome.HeldByOther:
                    return $"the lease is held by {attempt.Detail}";
                default:
                    var left = _options.RenewDeadline - _time.GetElapsedTime(_lastRenewed);
                    _logger.LeaseRenewFailed(attempt.Error, _options.Namespace, _options.LeaseName, attempt.Detail, left > TimeSpan.Zero ? left : TimeSpan.Zero);
                    break;
            }
        }
    }

    /// <summary>
    /// One round of client-go's <c>tryAcquireOrRenew</c>: read the lease; create it when missing; leave it when
    /// another holder's record has changed within its duration; else write ourselves in with the resourceVersion read.
    /// </summary>
    private async Task<Attempt> TryAcquireOrRenewAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            var now = _time.GetUtcNow().UtcDateTime;
            var current = await ReadAsync(linked.Token);
            if (current is null)
            {
                var created = await _client.CoordinationV1.CreateNamespacedLeaseAsync(
                    new V1Lease
                    {
                        ApiVersion = "coordination.k8s.io/v1",
                        Kind = "Lease",
                        Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.Namespace },
                        Spec = OurSpec(acquired: now, renewed: now, transitions: 0),
                    },
                    _options.Namespace,
                    cancellationToken: linked.Token);
                Observe(created);
                return Attempt.Held;
            }

            Observe(current);
            var spec = current.Spec ?? new V1LeaseSpec();
            var holder = spec.HolderIdentity;
            var ours = holder == Identity;
            if (!string.IsNullOrEmpty(holder) && !ours && !ObservedExpired())
            {
                return new Attempt(Outcome.HeldByOther, holder, null);
            }

            current.Spec = ours
                ? OurSpec(acquired: spec.AcquireTime ?? now, renewed: now, transitions: spec.LeaseTransitions ?? 0)
                : OurSpec(acquired: now, renewed: now, transitions: (spec.LeaseTransitions ?? 0) + 1);
            var replaced = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, _options.LeaseName, _options.Namespace, cancellationToken: linked.Token);
            Observe(replaced);
            return Attempt.Held;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new Attempt(Outcome.Failed, $"no answer within {timeout}", null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new Attempt(Outcome.Failed, Describe(e), e);
        }
    }

    /// <summary>Gives the lease up if it is still ours: holder cleared, duration 1 s, so the next candidate takes it at once.</summary>
    private async Task ReleaseAsync()
    {
        using var timer = new CancellationTokenSource(_callTimeout, _time);
        try
        {
            var current = await ReadAsync(timer.Token);
            if (current?.Spec?.HolderIdentity != Identity)
            {
                return;
            }

            var now = _time.GetUtcNow().UtcDateTime;
            current.Spec = new V1LeaseSpec
            {
                HolderIdentity = null,
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaseTransitions = current.Spec.LeaseTransitions,
            };
            var released = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, _options.LeaseName, _options.Namespace, cancellationToken: timer.Token);
            Observe(released);
            _logger.LeaseReleased(_options.Namespace, _options.LeaseName, Identity);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            _logger.LeaseReleaseFailed(null, _options.Namespace, _options.LeaseName, $"no answer within {_callTimeout}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LeaseReleaseFailed(e, _options.Namespace, _options.LeaseName, Describe(e));
        }
    }

    /// <summary>The lease, or null when there is none.</summary>
    private async Task<V1Lease?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private V1LeaseSpec OurSpec(DateTime acquired, DateTime renewed, int transitions) => new()
    {
        HolderIdentity = Identity,
        LeaseDurationSeconds = _leaseDurationSeconds,
        AcquireTime = acquired,
        RenewTime = renewed,
        LeaseTransitions = transitions,
    };

    /// <summary>Notes the lease's record; a change restarts its expiry on our clock, and a new holder is logged.</summary>
    private void Observe(V1Lease lease)
    {
        var record = LeaseRecord.Of(lease.Spec);
        if (record == _observed)
        {
            return;
        }

        var previousHolder = _observed?.Holder;
        _observed = record;
        _observedAt = _time.GetTimestamp();
        if (!string.IsNullOrEmpty(record.Holder) && record.Holder != Identity && record.Holder != previousHolder)
        {
            _logger.LeaderObserved(record.Holder, _options.Namespace, _options.LeaseName);
        }
    }

    /// <summary>Whether the observed record has stayed unchanged, on our clock, for its lease duration.</summary>
    private bool ObservedExpired()
    {
        var duration = _observed?.DurationSeconds is int seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : _options.LeaseDuration;
        return _time.GetElapsedTime(_observedAt) >= duration;
    }

    private Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var wait = Task.Delay(delay, _time, cancellationToken);
        Interlocked.Increment(ref _waits);
        return wait;
    }

    /// <summary>What went wrong, for the logs, without the exception's own text (that goes with the exception).</summary>
    private static string Describe(Exception e) => e switch
    {
        HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict } => "409 Conflict: the lease changed since it was read",
        HttpOperationException http => $"{(int)http.Response.StatusCode} {http.Response.ReasonPhrase}".TrimEnd(),
        HttpRequestException => "the API server could not be reached",
        _ => "the API server's answer could not be read",
    };

    /// <summary>The parts of a lease that change only when its holder writes it.</summary>
    private readonly record struct LeaseRecord(string? Holder, int? DurationSeconds, DateTime? AcquireTime, DateTime? RenewTime, int? Transitions)
    {
        public static LeaseRecord Of(V1LeaseSpec? spec) =>
            new(spec?.HolderIdentity, spec?.LeaseDurationSeconds, spec?.AcquireTime, spec?.RenewTime, spec?.LeaseTransitions);
    }

    /// <summary>How one round ended: for a failure what went wrong, for another holder its identity.</summary>
    private readonly record struct Attempt(Outcome Outcome, string Detail, Exception? Error)
    {
        public static Attempt Held => new(Outcome.Held, "", null);
    }
}
