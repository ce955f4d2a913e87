using Microsoft.Extensions.Logging;

namespace Capstan.Controllers;

/// <summary>
/// Runs every controller side by side while leadership lasts. A controller that fails is logged and started again
/// after a backoff (1 s doubling to 1 min), so one broken loop never stops the others.
/// </summary>
public sealed class ControllerManager(IEnumerable<IController> controllers, TimeProvider time, ILogger<ControllerManager> logger)
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(1);
    private readonly IReadOnlyList<IController> _controllers = [.. controllers];

    public IReadOnlyList<IController> Controllers => _controllers;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_controllers.Select(c => SuperviseAsync(c, cancellationToken))).ConfigureAwait(false);
        logger.ControllersStopped();
    }

    private async Task SuperviseAsync(IController controller, CancellationToken cancellationToken)
    {
        var backoff = s_firstBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                logger.ControllerStarted(controller.Name);
                await controller.RunAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.ControllerCrashed(e, controller.Name, backoff);
            }

            try
            {
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = backoff * 2 > s_maxBackoff ? s_maxBackoff : backoff * 2;
        }
    }
}
