namespace Capstan.Host.Options;

/// <summary><c>Capstan:Kubernetes</c>: how <c>serve</c> reaches the API server for its cluster cache and writes.</summary>
public sealed class KubernetesOptions
{
    public const string SectionName = "Capstan:Kubernetes";

    /// <summary>
    /// A kubeconfig file. Unset: the in-cluster service account when <c>KUBERNETES_SERVICE_HOST</c> is set,
    /// else <c>$KUBECONFIG</c> (its first entry) or <c>~/.kube/config</c>.
    /// </summary>
    public string? Kubeconfig { get; set; }

    /// <summary>False (<c>--no-cluster</c>) serves the admission webhook only: no cache, no extender routes.</summary>
    public bool Enabled { get; set; } = true;
}
