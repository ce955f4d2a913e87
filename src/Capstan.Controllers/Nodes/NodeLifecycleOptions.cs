namespace Capstan.Controllers.Nodes;

/// <summary>How often the node controllers look at every Capstan node without a change (<c>Capstan:Nodes</c>).</summary>
public sealed class NodeLifecycleOptions
{
    public const string SectionName = "Capstan:Nodes";

    /// <summary>Period of the full pass over every node (registration deadlines; deleted nodes to terminate, for the termination controller).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);
}
