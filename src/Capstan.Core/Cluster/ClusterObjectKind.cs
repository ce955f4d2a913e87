namespace Capstan.Core.Cluster;

/// <summary>The kinds of objects a cluster state holds and reports changes of.</summary>
public enum ClusterObjectKind
{
    Pod,
    Node,
    Provisioner,
    NodeTemplate,
    DaemonSet,
    Namespace,
    DisruptionBudget,
}
