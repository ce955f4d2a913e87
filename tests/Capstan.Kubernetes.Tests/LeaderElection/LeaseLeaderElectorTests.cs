using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Capstan.Kubernetes.LeaderElection;
using Capstan.Sandbox.Kubernetes;
using Capstan.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capstan.Kubernetes.Tests.LeaderElection;

/// <summary>
/// Candidates on the real KubernetesClient against <see cref="FakeApiServer"/>, on a fake clock stepped one
/// RetryPeriod (2 s) at a time, with the default LeaseDuration (15 s) and RenewDeadline (10 s).
/// </summary>
public sealed class LeaseLeaderElectorTests : IAsyncLifetime
{
    private const string LostAtDeadline = "Lost leadership (lease capstan/capstan-leader-election, identity replica-a): no renewal succeeded within 00:00:10";

    private ElectionHarness _h = null!;

    public async Task InitializeAsync() => _h = await ElectionHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task AbsentLease_IsCreatedWithThisReplicaAsHolder()
    {
        var a = await _h.StartAsync("replica-a");
        using var recorder = new MeasurementRecorder(LeaseLeaderElector.MeterName, a.Meters);

        Assert.True(a.Elector.IsLeader);
        Assert.Equal("replica-a", a.Elector.Identity);
        await ElectionHarness.Until(() => a.Terms.Count == 1, "the leader's work starts");
        var lease = _h.Lease();
        var spec = lease["spec"]!;
        Assert.Equal("replica-a", (string?)spec["holderIdentity"]);
        Assert.Equal(15, (int?)spec["leaseDurationSeconds"]);
        Assert.Equal(0, (int?)spec["leaseTransitions"]);
        Assert.Equal(ElectionHarness.Start, ElectionHarness.TimeOf(spec["acquireTime"]));
        Assert.Equal(ElectionHarness.Start, ElectionHarness.TimeOf(spec["renewTime"]));
        Assert.Equal("coordination.k8s.io/v1", (string?)lease["apiVersion"]);
        Assert.Equal("Lease", (string?)lease["kind"]);
        Assert.Equal("capstan", (string?)lease["metadata"]!["namespace"]);
        Assert.False(string.IsNullOrEmpty((string?)lease["metadata"]!["uid"]));
        Assert.False(string.IsNullOrEmpty((string?)lease["metadata"]!["creationTimestamp"]));
        Assert.Equal(["GET", "POST"], _h.LeaseRequests().Select(r => r.Method));
        Assert.Contains(a.Logger.Lines, l => l is { EventId: 6401, Level: LogLevel.Information }
            && l.Message == "Became leader (lease capstan/capstan-leader-election, identity replica-a)");
        recorder.Collect();
        Assert.Equal(1, recorder.Last("leader"));
    }

    [Fact]
    public async Task Leader_RenewsEveryRetryPeriod_WithTheResourceVersionItRead()
    {
        var a = await _h.StartAsync("replica-a");
        var acquired = _h.Lease();

        await _h.TickAsync();

        var renewed = _h.Lease();
        Assert.Equal(ElectionHarness.Start.AddSeconds(2), ElectionHarness.TimeOf(renewed["spec"]!["renewTime"]));
        Assert.Equal(ElectionHarness.Start, ElectionHarness.TimeOf(renewed["spec"]!["acquireTime"]));
        Assert.Equal(0, (int?)renewed["spec"]!["leaseTransitions"]);
        Assert.Equal("replica-a", (string?)renewed["spec"]!["holderIdentity"]);
        Assert.NotEqual((string?)acquired["metadata"]!["resourceVersion"], (string?)renewed["metadata"]!["resourceVersion"]);
        var put = Assert.Single(_h.LeaseRequests(), r => r.Method == "PUT");
        Assert.Equal((string?)acquired["metadata"]!["resourceVersion"], (string?)JsonNode.Parse(put.Body)!["metadata"]!["resourceVersion"]);

        await _h.TickAsync();

        Assert.Equal(ElectionHarness.Start.AddSeconds(4), ElectionHarness.TimeOf(_h.Lease()["spec"]!["renewTime"]));
        Assert.True(a.Elector.IsLeader);
        Assert.Single(a.Terms);
        Assert.False(a.Terms[0].IsCancellationRequested);
    }

    [Fact]
    public async Task OtherCandidate_DoesNotTakeALeaseRenewedInTime()
    {
        var a = await _h.StartAsync("replica-a");
        var b = await _h.StartAsync("replica-b");

        for (var tick = 0; tick < 20; tick++)
        {
            await _h.TickAsync();
            Assert.True(a.Elector.IsLeader, $"replica-a leads at {_h.Elapsed}");
            Assert.False(b.Elector.IsLeader, $"replica-b does not lead at {_h.Elapsed}");
        }

        Assert.Equal("replica-a", _h.Holder());
        Assert.Equal(0, (int?)_h.Lease()["spec"]!["leaseTransitions"]);
        Assert.Empty(b.Terms);
        Assert.All(_h.LeaseRequests().Where(r => r.Method is "PUT" or "POST"),
            r => Assert.Equal("replica-a", (string?)JsonNode.Parse(r.Body)!["spec"]!["holderIdentity"]));
        var observed = Assert.Single(b.Logger.WithId(6403));
        Assert.Equal("Leader is replica-a (lease capstan/capstan-leader-election)", observed.Message);
        using var recorder = new MeasurementRecorder(LeaseLeaderElector.MeterName, b.Meters);
        recorder.Collect();
        Assert.Equal(0, recorder.Last("leader"));
    }

    [Fact]
    public async Task HolderWhoseRenewalsFail_StopsLeadingAtRenewDeadline_AndTheOtherTakesOverAfterLeaseDuration()
    {
        var a = await _h.StartAsync("replica-a");
        var b = await _h.StartAsync("replica-b");
        _h.Server.InjectFault("PUT", ElectionHarness.LeasePath, HttpStatusCode.InternalServerError, times: 1000);

        for (var second = 2; second <= 8; second += 2)
        {
            await _h.TickAsync();
            Assert.True(a.Elector.IsLeader, $"replica-a still leads at {second} s");
            Assert.False(a.Terms[0].IsCancellationRequested, $"replica-a's work goes on at {second} s");
        }

        await _h.TickAsync();

        Assert.False(a.Elector.IsLeader, "replica-a stops leading 10 s after its last renewal");
        Assert.True(a.Terms[0].IsCancellationRequested);
        Assert.Contains(a.Logger.Lines, l => l is { EventId: 6402, Level: LogLevel.Warning, Message: LostAtDeadline });
        Assert.Equal(4, a.Logger.WithId(6406).Count);
        Assert.All(a.Logger.WithId(6406), l => Assert.StartsWith("Renewing the lease capstan/capstan-leader-election failed (500 ", l.Message, StringComparison.Ordinal));
        using (var recorder = new MeasurementRecorder(LeaseLeaderElector.MeterName, a.Meters))
        {
            recorder.Collect();
            Assert.Equal(0, recorder.Last("leader"));
        }

        // replica-a is gone for good (it would take its own lease back once the API server answers); the API server heals.
        await a.StopAsync();
        Assert.Empty(a.Logger.WithId(6404));
        _h.Server.ClearLeaseFaults();

        for (var second = 12; second <= 14; second += 2)
        {
            await _h.TickAsync();
            Assert.False(b.Elector.IsLeader, $"replica-b waits at {second} s: the lease is unchanged for less than 15 s");
        }

        await _h.TickAsync();

        Assert.True(b.Elector.IsLeader, "replica-b takes the lease unchanged for 16 s");
        var spec = _h.Lease()["spec"]!;
        Assert.Equal("replica-b", (string?)spec["holderIdentity"]);
        Assert.Equal(1, (int?)spec["leaseTransitions"]);
        Assert.Equal(ElectionHarness.Start.AddSeconds(16), ElectionHarness.TimeOf(spec["acquireTime"]));
        await ElectionHarness.Until(() => b.Terms.Count == 1, "replica-b's work starts");
    }

    [Fact]
    public async Task Stop_WhileLeading_EndsTheWorkThenReleases_SoTheOtherAcquiresAtItsNextRetry()
    {
        string? holderWhenWorkEnded = null;
        var a = await _h.StartAsync("replica-a", async token =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token);
            }
            finally
            {
                holderWhenWorkEnded = _h.Holder();
            }
        });
        var b = await _h.StartAsync("replica-b");
        await ElectionHarness.Until(() => a.Terms.Count == 1, "replica-a's work starts");

        await a.StopAsync();

        Assert.Equal("replica-a", holderWhenWorkEnded);
        Assert.True(a.Terms[0].IsCancellationRequested);
        Assert.False(a.Elector.IsLeader);
        var released = _h.Lease()["spec"]!;
        Assert.True(string.IsNullOrEmpty((string?)released["holderIdentity"]));
        Assert.Equal(1, (int?)released["leaseDurationSeconds"]);
        Assert.Equal(0, (int?)released["leaseTransitions"]);
        var line = Assert.Single(a.Logger.WithId(6404));
        Assert.Equal("Released the lease capstan/capstan-leader-election (identity replica-a)", line.Message);

        await _h.TickAsync();

        Assert.True(b.Elector.IsLeader, "replica-b takes the released lease at its next retry, 2 s later");
        Assert.Equal("replica-b", _h.Holder());
        Assert.Equal(1, (int?)_h.Lease()["spec"]!["leaseTransitions"]);
    }

    [Fact]
    public async Task ConflictOnAcquire_IsRetriedAtTheNextPeriod()
    {
        _h.Server.UpsertLease(ReleasedLease(transitions: 3));
        _h.Server.InjectFault("PUT", ElectionHarness.LeasePath, HttpStatusCode.Conflict);

        var a = await _h.StartAsync("replica-a");

        Assert.False(a.Elector.IsLeader);
        Assert.True(string.IsNullOrEmpty(_h.Holder()));
        var failed = Assert.Single(a.Logger.WithId(6407));
        Assert.Equal("Acquiring the lease capstan/capstan-leader-election failed (409 Conflict: the lease changed since it was read); trying again in 00:00:02", failed.Message);

        await _h.TickAsync();

        Assert.True(a.Elector.IsLeader);
        Assert.Equal("replica-a", _h.Holder());
        Assert.Equal(4, (int?)_h.Lease()["spec"]!["leaseTransitions"]);
        Assert.Equal(["GET", "PUT", "GET", "PUT"], _h.LeaseRequests().Select(r => r.Method));
    }

    [Fact]
    public async Task ConflictOnRenewal_KeepsLeading_AndTheNextRenewalSucceeds()
    {
        var a = await _h.StartAsync("replica-a");
        _h.Server.InjectFault("PUT", ElectionHarness.LeasePath, HttpStatusCode.Conflict);

        await _h.TickAsync();

        Assert.True(a.Elector.IsLeader);
        Assert.Equal(ElectionHarness.Start, ElectionHarness.TimeOf(_h.Lease()["spec"]!["renewTime"]));
        var failed = Assert.Single(a.Logger.WithId(6406));
        Assert.Equal("Renewing the lease capstan/capstan-leader-election failed (409 Conflict: the lease changed since it was read); leadership is lost unless a renewal succeeds within 00:00:08", failed.Message);

        await _h.TickAsync();

        Assert.True(a.Elector.IsLeader);
        Assert.Equal(ElectionHarness.Start.AddSeconds(4), ElectionHarness.TimeOf(_h.Lease()["spec"]!["renewTime"]));
        Assert.Single(a.Terms);
        Assert.False(a.Terms[0].IsCancellationRequested);
    }

    [Fact]
    public async Task WorkThatFails_IsLogged_ReleasesTheLease_AndLeadershipIsAcquiredAgain()
    {
        var calls = 0;
        var a = await _h.StartAsync("replica-a", async token =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("the work broke with secret details");
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token);
        });

        // The renewals wait once, then the failed work ends leadership, the lease is released, and it waits to retry.
        await ElectionHarness.Until(() => a.Elector.Waits >= 2 && a.Logger.WithId(6404).Count == 1, "the lease is released");

        Assert.False(a.Elector.IsLeader);
        Assert.True(string.IsNullOrEmpty(_h.Holder()));
        var failure = Assert.Single(a.Logger.WithId(6405));
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.IsType<InvalidOperationException>(failure.Exception);
        Assert.Equal("The leader's work failed; giving up the lease capstan/capstan-leader-election and trying to acquire it again in 00:00:02", failure.Message);

        await _h.TickAsync();

        Assert.True(a.Elector.IsLeader);
        Assert.Equal("replica-a", _h.Holder());
        Assert.Equal(1, (int?)_h.Lease()["spec"]!["leaseTransitions"]);
        await ElectionHarness.Until(() => a.Terms.Count == 2, "the work starts again");
        Assert.True(a.Terms[0].IsCancellationRequested);
        Assert.False(a.Terms[1].IsCancellationRequested);
    }

    [Fact]
    public async Task WorkThatReturnsWhileLeading_ReleasesTheLease_AndLeadershipIsAcquiredAgain()
    {
        var calls = 0;
        var a = await _h.StartAsync("replica-a", token => Interlocked.Increment(ref calls) == 1
            ? Task.CompletedTask
            : Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token));
        await ElectionHarness.Until(() => a.Elector.Waits >= 2 && a.Logger.WithId(6404).Count == 1, "the lease is released");

        Assert.False(a.Elector.IsLeader);
        Assert.Equal("The leader's work returned while still leading; giving up the lease capstan/capstan-leader-election and trying to acquire it again in 00:00:02",
            Assert.Single(a.Logger.WithId(6409)).Message);
        Assert.Empty(a.Logger.WithId(6405));

        await _h.TickAsync();

        Assert.True(a.Elector.IsLeader);
        await ElectionHarness.Until(() => a.Terms.Count == 2, "the work runs again");
    }

    [Fact]
    public async Task LostLeadership_IsTakenBackOnceTheApiServerAnswersAgain_WhenNobodyElseTookIt()
    {
        var a = await _h.StartAsync("replica-a");
        _h.Server.InjectFault("PUT", ElectionHarness.LeasePath, HttpStatusCode.ServiceUnavailable, times: 1000);
        for (var second = 2; second <= 10; second += 2)
        {
            await _h.TickAsync();
        }

        Assert.False(a.Elector.IsLeader);
        _h.Server.ClearLeaseFaults();

        await _h.TickAsync();

        Assert.True(a.Elector.IsLeader);
        var spec = _h.Lease()["spec"]!;
        Assert.Equal(0, (int?)spec["leaseTransitions"]);
        Assert.Equal(ElectionHarness.Start, ElectionHarness.TimeOf(spec["acquireTime"]));
        Assert.Equal(ElectionHarness.Start.AddSeconds(12), ElectionHarness.TimeOf(spec["renewTime"]));
        await ElectionHarness.Until(() => a.Terms.Count == 2, "a second term starts");
        Assert.Equal(2, a.Logger.WithId(6401).Count);
    }

    [Fact]
    public async Task HungApiServer_CannotKeepTheLeaderLeadingPastRenewDeadline()
    {
        var a = await _h.StartAsync("replica-a");
        _h.Server.InjectFault("GET", ElectionHarness.LeasePath, HttpStatusCode.InternalServerError, times: 1000, mode: FaultMode.Hang);
        int Reads() => _h.LeaseRequests().Count(r => r.Method == "GET");
        var reads = Reads();

        // 2 s: the renewal's read hangs; it is given up after RenewDeadline / 2.
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await ElectionHarness.Until(() => Reads() > reads, "the renewal reads the lease");
        var waits = a.Elector.Waits;
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await ElectionHarness.Until(() => a.Elector.Waits > waits, "the hung renewal is given up");
        Assert.True(a.Elector.IsLeader);
        Assert.Equal("Renewing the lease capstan/capstan-leader-election failed (no answer within 00:00:05); leadership is lost unless a renewal succeeds within 00:00:03",
            Assert.Single(a.Logger.WithId(6406)).Message);

        // 9 s: the next read hangs too; it is given up at the deadline, 10 s after the last renewal.
        reads = Reads();
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await ElectionHarness.Until(() => Reads() > reads, "the second renewal reads the lease");
        Assert.True(a.Elector.IsLeader);
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await ElectionHarness.Until(() => !a.Elector.IsLeader, "leadership is lost at the deadline");

        await ElectionHarness.Until(() => a.Terms[0].IsCancellationRequested, "the work is cancelled");
        Assert.Contains(a.Logger.Lines, l => l is { EventId: 6402, Message: LostAtDeadline });
    }

    [Fact]
    public async Task Stop_BeforeAcquiring_WritesNothing()
    {
        _h.Server.UpsertLease(HeldLease("replica-z"));
        var a = await _h.StartAsync("replica-a");
        Assert.False(a.Elector.IsLeader);

        await a.StopAsync();

        Assert.Equal(["GET"], _h.LeaseRequests().Select(r => r.Method));
        Assert.Equal("replica-z", _h.Holder());
        Assert.Empty(a.Terms);
        Assert.Single(a.Logger.WithId(6403), l => l.Message == "Leader is replica-z (lease capstan/capstan-leader-election)");
    }

    [Fact]
    public async Task RunAsync_Twice_AtOnce_Throws()
    {
        var a = await _h.StartAsync("replica-a");

        await Assert.ThrowsAsync<InvalidOperationException>(() => a.Elector.RunAsync(_ => Task.CompletedTask, CancellationToken.None));

        Assert.True(a.Elector.IsLeader);
    }

    [Fact]
    public void Constructor_RefusesTimingsThatCouldLetTwoLead()
    {
        var options = ElectionHarness.Options("replica-a");
        options.RenewDeadline = options.LeaseDuration;
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _h.Server.BaseAddress.ToString() });
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();

        var error = Assert.Throws<ArgumentException>(() => _ = new LeaseLeaderElector(client, options, _h.Time, new RecordingLogger<LeaseLeaderElector>(), meters));

        Assert.StartsWith("Capstan:LeaderElection needs 0 < RetryPeriod < RenewDeadline < LeaseDuration", error.Message, StringComparison.Ordinal);
    }

    private static JsonObject ReleasedLease(int transitions) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = ElectionHarness.LeaseName, ["namespace"] = ElectionHarness.Namespace },
        ["spec"] = new JsonObject
        {
            ["leaseDurationSeconds"] = 1,
            ["leaseTransitions"] = transitions,
            ["acquireTime"] = "2024-05-01T11:00:00.000000Z",
            ["renewTime"] = "2024-05-01T11:00:00.000000Z",
        },
    };

    private static JsonObject HeldLease(string holder) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = ElectionHarness.LeaseName, ["namespace"] = ElectionHarness.Namespace },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = holder,
            ["leaseDurationSeconds"] = 15,
            ["leaseTransitions"] = 2,
            ["acquireTime"] = "2024-05-01T11:59:00.000000Z",
            ["renewTime"] = "2024-05-01T11:59:58.000000Z",
        },
    };
}
