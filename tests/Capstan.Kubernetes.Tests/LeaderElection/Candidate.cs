using System.Diagnostics.Metrics;
using Capstan.Kubernetes.LeaderElection;
using Capstan.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Kubernetes.Tests.LeaderElection;

/// <summary>One replica: an elector with its own client, logger and meters, running until stopped.</summary>
internal sealed class Candidate : IAsyncDisposable
{
    private readonly k8s.Kubernetes _client;
    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<CancellationToken> _terms = [];

    public Candidate(FakeApiServer server, LeaderElectionOptions options, TimeProvider time, Func<CancellationToken, Task>? work)
    {
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Meters = _services.GetRequiredService<IMeterFactory>();
        Elector = new LeaseLeaderElector(_client, options, time, Logger, Meters);
        Run = Task.Run(() => Elector.RunAsync(token => LeadAsync(work, token), _stop.Token));
    }

    public LeaseLeaderElector Elector { get; }

    public RecordingLogger<LeaseLeaderElector> Logger { get; } = new();

    public IMeterFactory Meters { get; }

    public Task Run { get; }

    /// <summary>The token of each term of leadership, in order.</summary>
    public IReadOnlyList<CancellationToken> Terms
    {
        get
        {
            lock (_gate)
            {
                return [.. _terms];
            }
        }
    }

    /// <summary>Stops the elector and waits until it has returned.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(ElectionHarness.Patience);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
        _client.Dispose();
        await _services.DisposeAsync();
    }

    private async Task LeadAsync(Func<CancellationToken, Task>? work, CancellationToken token)
    {
        lock (_gate)
        {
            _terms.Add(token);
        }

        if (work is not null)
        {
            await work(token);
            return;
        }

        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (token.Register(() => ended.SetResult()))
        {
            await ended.Task;
        }
    }
}
