namespace Capstan.Core.Cluster;

public enum ClusterChangeType
{
    Added,
    Updated,
    Deleted,
}
