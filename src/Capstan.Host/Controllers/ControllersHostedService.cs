using System.Diagnostics.Metrics;
using Capstan.Controllers;
using Capstan.Kubernetes.LeaderElection;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Controllers;

/// <summary>
/// Runs the controllers for as long as the host runs: while this replica holds the leader Lease when leader election
/// is on (the default), so that every replica serves the webhook and the extender while one provisions; losing the
/// lease cancels them, and they start again if it is won back. They are composed here, not when the host starts: a
/// cloud client that cannot be made (no credentials yet) must not stop the webhook and the extender, so composition is
/// retried with a backoff while the rest serves.
/// </summary>
internal sealed class ControllersHostedService(
    IServiceProvider services,
    IOptions<LeaderElectionOptions> election,
    IMeterFactory meters,
    TimeProvider time,
    ILogger<ControllersHostedService> logger) : BackgroundService
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromMinutes(2);
    private volatile bool _running;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = s_firstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            ControllerManager manager;
            LeaseLeaderElector? elector = null;
            try
            {
                manager = services.GetRequiredService<ControllerManager>();
                if (election.Value.Enabled)
                {
                    elector = services.GetRequiredService<LeaseLeaderElector>();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.ControllersUnavailable(e, delay);
                await Task.Delay(delay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = delay * 2 > s_maxRetry ? s_maxRetry : delay * 2;
                continue;
            }

            if (elector is not null)
            {
                await elector.RunAsync(manager.RunAsync, stoppingToken);
                return;
            }

            // Without an election this replica always leads; capstan_leader says so as the elector would.
            meters.Create(LeaseLeaderElector.MeterName).CreateObservableGauge("leader", () => _running ? 1 : 0, "{leader}",
                "1 while this replica runs the controllers.");
            _running = true;
            try
            {
                await manager.RunAsync(stoppingToken);
            }
            finally
            {
                _running = false;
            }

            return;
        }
    }
}
