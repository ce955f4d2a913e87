using k8s;
using k8s.Exceptions;

namespace Capstan.Host.Cluster;

/// <summary>
/// Finds the API server for <c>serve</c>: an explicit kubeconfig, else the in-cluster service account when
/// <c>KUBERNETES_SERVICE_HOST</c> is set, else <c>$KUBECONFIG</c> (first entry) or <c>~/.kube/config</c>.
/// </summary>
internal static class KubeconfigLocator
{
    /// <summary>The client configuration; a <see cref="ClusterConfigurationException"/> says what is missing.</summary>
    public static KubernetesClientConfiguration Resolve(string? kubeconfig, Func<string, string?> environment, string homeDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(kubeconfig))
        {
            return FromFile(kubeconfig, "Capstan:Kubernetes:Kubeconfig");
        }

        if (!string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST")))
        {
            try
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }
            catch (KubeConfigException e)
            {
                throw new ClusterConfigurationException($"in-cluster configuration failed: {e.Message}", e);
            }
        }

        var fromEnvironment = environment("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault();
        if (fromEnvironment is not null)
        {
            return FromFile(fromEnvironment, "KUBECONFIG");
        }

        var fallback = Path.Combine(homeDirectory, ".kube", "config");
        if (!File.Exists(fallback))
        {
            throw new ClusterConfigurationException(
                $"no Kubernetes configuration: not in a cluster (KUBERNETES_SERVICE_HOST is unset), KUBECONFIG is unset and {fallback} does not exist; pass --kubeconfig FILE, or --no-cluster to serve the webhook only");
        }

        return FromFile(fallback, "~/.kube/config");
    }

    private static KubernetesClientConfiguration FromFile(string path, string source)
    {
        if (!File.Exists(path))
        {
            throw new ClusterConfigurationException($"kubeconfig {path} (from {source}) does not exist; pass --kubeconfig FILE, or --no-cluster to serve the webhook only");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or InvalidOperationException or ArgumentException or YamlDotNet.Core.YamlException)
        {
            throw new ClusterConfigurationException($"kubeconfig {path} (from {source}) cannot be used: {e.Message}", e);
        }
    }
}
