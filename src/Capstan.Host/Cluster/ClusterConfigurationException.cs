namespace Capstan.Host.Cluster;

/// <summary><c>serve</c> could not find or read a Kubernetes configuration; the message is one line for the user.</summary>
public sealed class ClusterConfigurationException : Exception
{
    public ClusterConfigurationException()
    {
    }

    public ClusterConfigurationException(string message)
        : base(message)
    {
    }

    public ClusterConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
