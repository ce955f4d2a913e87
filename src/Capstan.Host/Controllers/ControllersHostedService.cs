using Capstan.Controllers;

namespace Capstan.Host.Controllers;

/// <summary>
/// Runs the controllers for as long as the host runs: on the leader only when leader election is on (the default),
/// so that replicas serve the webhook and the extender while one of them provisions.
/// </summary>
internal sealed class ControllersHostedService(ControllerManager manager) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => manager.RunAsync(stoppingToken);
}
