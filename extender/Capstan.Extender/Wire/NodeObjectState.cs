namespace Capstan.Extender.Wire;

/// <summary>
/// What a Node object in a <c>nodeCacheCapable: false</c> request says about itself, as the scheduler saw it:
/// read from the request so that filter can act on it even when Capstan's cache does not know the node yet or
/// holds an older version of it.
/// </summary>
[Flags]
internal enum NodeObjectState : byte
{
    None = 0,

    /// <summary><c>metadata.deletionTimestamp</c> is set.</summary>
    Deleting = 1,

    /// <summary><c>spec.unschedulable</c> is <c>true</c> (cordoned).</summary>
    Unschedulable = 2,

    /// <summary><c>spec.taints</c> has the <c>karpenter.sh/disruption</c> key.</summary>
    DisruptionTaint = 4,
}
