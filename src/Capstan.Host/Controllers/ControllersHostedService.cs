using Capstan.Controllers;

namespace Capstan.Host.Controllers;

/// <summary>
/// Runs the controllers for as long as the host runs. They are composed here, not when the host starts: a cloud client
/// that cannot be made (no credentials yet) must not stop the webhook and the extender, so composition is retried
/// with a backoff while the rest serves.
/// </summary>
internal sealed class ControllersHostedService(IServiceProvider services, TimeProvider time, ILogger<ControllersHostedService> logger) : BackgroundService
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = s_firstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            ControllerManager manager;
            try
            {
                manager = services.GetRequiredService<ControllerManager>();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.ControllersUnavailable(e, delay);
                await Task.Delay(delay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = delay * 2 > s_maxRetry ? s_maxRetry : delay * 2;
                continue;
            }

            await manager.RunAsync(stoppingToken);
            return;
        }
    }
}
