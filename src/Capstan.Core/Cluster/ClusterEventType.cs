namespace Capstan.Core.Cluster;

/// <summary>The <c>type</c> of a Kubernetes Event.</summary>
public enum ClusterEventType
{
    Normal,
    Warning,
}
