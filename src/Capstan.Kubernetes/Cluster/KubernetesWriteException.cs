namespace Capstan.Kubernetes.Cluster;

/// <summary>An API server write that still failed after the writer's retries (see <see cref="KubernetesWriterOptions"/>).</summary>
public sealed class KubernetesWriteException : Exception
{
    public KubernetesWriteException()
    {
    }

    public KubernetesWriteException(string message)
        : base(message)
    {
    }

    public KubernetesWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
