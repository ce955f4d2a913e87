namespace Capstan.Host.Options;

/// <summary><c>Capstan:Cluster</c> and <c>Capstan:CloudProvider</c>: which cluster Capstan provisions for, and through which cloud.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Capstan:Cluster";
    public const string CloudProviderKey = "Capstan:CloudProvider";

    /// <summary>The cluster's name (<c>--cluster-name</c>): instance ownership tags and the nodes' bootstrap.</summary>
    public string? Name { get; set; }

    /// <summary>The API server URL nodes join (<c>--cluster-endpoint</c>); default: the kubeconfig's server.</summary>
    public string? Endpoint { get; set; }
}
