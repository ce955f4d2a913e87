using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers;

/// <summary>
/// Writes Kubernetes Events for the controllers. Events are for people: one that cannot be written is logged and
/// never fails the controller's pass.
/// </summary>
public sealed class EventRecorder(IClusterWriter writer, ILogger logger)
{
    /// <summary>An event on a node.</summary>
    public Task NodeAsync(string nodeName, string reason, ClusterEventType type, string message, CancellationToken cancellationToken) =>
        RecordAsync(new ClusterEvent { Kind = EventObjectKind.Node, Name = nodeName, Reason = reason, Message = message, Type = type }, cancellationToken);

    /// <summary>Writes the event; a failure other than cancellation is logged and swallowed.</summary>
    public async Task RecordAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusterEvent);
        try
        {
            await writer.RecordEventAsync(clusterEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            logger.EventFailed(e, clusterEvent.Reason, clusterEvent.Kind.ToString().ToLowerInvariant(), clusterEvent.Name);
        }
    }
}
