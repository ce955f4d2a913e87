namespace Capstan.Core.Cloud;

/// <summary>What an interruption message announces (the EventBridge events of Karpenter's interruption handling).</summary>
public enum InterruptionKind
{
    /// <summary>The two-minute spot interruption warning.</summary>
    SpotInterrupted,

    /// <summary>A rebalance recommendation: elevated risk of interruption; no action but a metric and an event.</summary>
    RebalanceRecommendation,

    /// <summary>An AWS Health scheduled change (maintenance, retirement) for the instance.</summary>
    ScheduledChange,

    /// <summary>The instance is stopping or stopped.</summary>
    InstanceStopped,

    /// <summary>The instance is shutting down or terminated.</summary>
    InstanceTerminated,
}
