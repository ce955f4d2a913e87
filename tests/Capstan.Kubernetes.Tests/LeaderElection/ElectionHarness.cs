using System.Globalization;
using System.Text.Json.Nodes;
using Capstan.Kubernetes.LeaderElection;
using Capstan.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Kubernetes.Tests.LeaderElection;

/// <summary>
/// A <see cref="FakeApiServer"/>, a <see cref="FakeTimeProvider"/> and candidates, each a <see cref="LeaseLeaderElector"/>
/// on the real KubernetesClient. The clock moves only when a test says so, and only while every running candidate is
/// waiting for its next attempt, so each step of <see cref="RetryPeriod"/> is one attempt per candidate.
/// </summary>
internal sealed class ElectionHarness : IAsyncDisposable
{
    public const string Namespace = "capstan";
    public const string LeaseName = "capstan-leader-election";

    /// <summary>How long (real time) a test waits for the candidates to make progress.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    public static readonly DateTimeOffset Start = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<Candidate> _candidates = [];

    private ElectionHarness(FakeApiServer server) => Server = server;

    public FakeApiServer Server { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public static string LeasePath => FakeApiServer.LeasePath(Namespace, LeaseName);

    public static async Task<ElectionHarness> CreateAsync()
    {
        var server = await FakeApiServer.StartAsync();
        server.UpsertNamespace(KubeObjects.Namespace(Namespace));
        return new ElectionHarness(server);
    }

    /// <summary>The defaults (15 s, 10 s, 2 s) with this test's lease and identity.</summary>
    public static LeaderElectionOptions Options(string identity) => new() { Namespace = Namespace, LeaseName = LeaseName, Identity = identity };

    /// <summary>
    /// Starts a candidate and waits until its first attempt is over. Its work, unless given, waits for its token and
    /// counts each term.
    /// </summary>
    public async Task<Candidate> StartAsync(string identity, Func<CancellationToken, Task>? work = null)
    {
        var candidate = new Candidate(Server, Options(identity), Time, work);
        _candidates.Add(candidate);
        await Until(() => candidate.Elector.Waits >= 1, $"{identity} has made its first attempt");
        return candidate;
    }

    /// <summary>Moves the clock one RetryPeriod on and waits until every running candidate has made its attempt and waits again.</summary>
    public async Task TickAsync()
    {
        var running = _candidates.Where(c => !c.Run.IsCompleted).Select(c => (Candidate: c, Waits: c.Elector.Waits)).ToList();
        Time.Advance(RetryPeriod);
        foreach (var (candidate, waits) in running)
        {
            await Until(() => candidate.Elector.Waits > waits || candidate.Run.IsCompleted, $"{candidate.Elector.Identity} has made its attempt at {Elapsed}");
        }
    }

    /// <summary>Fake time since the start.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - Start;

    /// <summary>The lease as stored; fails when there is none.</summary>
    public JsonObject Lease() => Server.FindLease(Namespace, LeaseName) ?? throw new InvalidOperationException("there is no lease");

    public string? Holder() => (string?)Server.FindLease(Namespace, LeaseName)?["spec"]?["holderIdentity"];

    public static DateTimeOffset TimeOf(JsonNode? microTime) =>
        DateTimeOffset.Parse((string?)microTime ?? throw new InvalidOperationException("no time"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The lease requests the candidates made (method and body), in order.</summary>
    public IReadOnlyList<RecordedRequest> LeaseRequests() =>
        [.. Server.Requests.Where(r => r.Path.StartsWith("/apis/coordination.k8s.io/", StringComparison.Ordinal))];

    /// <summary>Polls (real time) until the condition holds; fails after <see cref="Patience"/>.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(start) < Patience, $"timed out waiting until {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var candidate in _candidates)
        {
            await candidate.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}
