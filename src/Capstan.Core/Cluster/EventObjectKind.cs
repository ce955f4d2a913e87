namespace Capstan.Core.Cluster;

/// <summary>What a <see cref="ClusterEvent"/> is about.</summary>
public enum EventObjectKind
{
    Pod,
    Node,
}
