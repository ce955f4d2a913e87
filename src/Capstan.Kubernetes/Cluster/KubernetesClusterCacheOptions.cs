using Capstan.Core.Cloud;
using Capstan.Kubernetes.Crds;

namespace Capstan.Kubernetes.Cluster;

/// <summary>Tuning of <see cref="KubernetesClusterCache"/>; the defaults suit production.</summary>
public sealed class KubernetesClusterCacheOptions
{
    /// <summary>First delay after a failed list or watch; doubles per consecutive failure. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Ceiling of the backoff. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Server-side watch timeout (<c>timeoutSeconds</c>); the watch then resumes from the last version. Default 5 min.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often to list Provisioners (or AWSNodeTemplates) again while their CRD is not installed. Default 1 min.</summary>
    public TimeSpan MissingCrdRetry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Page size of the initial lists (<c>limit</c>). Default 500.</summary>
    public int ListPageSize { get; set; } = 500;

    /// <summary>Prices a node from its labels (instance type, capacity type, zone); null leaves prices unknown.</summary>
    public Func<IReadOnlyDictionary<string, string>, double?>? Pricing { get; set; }

    /// <summary>
    /// Reads an <c>AWSNodeTemplate</c> into Core's <see cref="NodeTemplate"/> (throw <see cref="FormatException"/> for one
    /// that cannot be read: it is skipped and logged). While null, AWSNodeTemplates are not watched and
    /// <see cref="KubernetesClusterCache.NodeTemplates"/> is empty.
    /// </summary>
    public Func<V1Alpha1AwsNodeTemplate, NodeTemplate>? NodeTemplateConverter { get; set; }

    /// <summary>Seed of the backoff jitter.</summary>
    public int JitterSeed { get; set; } = 17;
}
