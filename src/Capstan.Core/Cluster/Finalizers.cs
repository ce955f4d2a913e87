namespace Capstan.Core.Cluster;

/// <summary>The finalizers Capstan puts on objects.</summary>
public static class Finalizers
{
    /// <summary>On every node Capstan launches: the node's deletion waits until it is drained and its instance terminated.</summary>
    public const string Termination = "karpenter.sh/termination";
}
