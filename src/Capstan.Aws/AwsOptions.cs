namespace Capstan.Aws;

/// <summary>
/// The AWS side of <c>capstan serve</c> and <c>capstan doctor</c>: which cluster, which region, and the defaults
/// node templates fall back on. Credentials always come from the SDK's default chain (environment, IRSA web
/// identity, EKS Pod Identity, profile, instance metadata).
/// </summary>
public sealed class AwsOptions
{
    public const string SectionName = "Capstan:Aws";

    /// <summary>The EKS cluster's name: the ownership tag <c>kubernetes.io/cluster/&lt;name&gt;</c>, the bootstrap argument.</summary>
    public string ClusterName { get; set; } = "";

    /// <summary>The API server URL new nodes bootstrap against.</summary>
    public string? ClusterEndpoint { get; set; }

    /// <summary>The cluster CA bundle (base64 PEM) written into the bootstrap user data.</summary>
    public string? ClusterCaBundle { get; set; }

    /// <summary>The cluster's Kubernetes version (<c>1.29</c>), for the EKS-optimised AMI parameters.</summary>
    public string KubernetesVersion { get; set; } = "1.29";

    /// <summary>The region; null lets the SDK decide (<c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, the profile).</summary>
    public string? Region { get; set; }

    /// <summary>The instance profile for templates that name none.</summary>
    public string? DefaultInstanceProfile { get; set; }

    /// <summary>The SQS queue (name or URL) of interruption events; empty turns interruption handling off.</summary>
    public string? InterruptionQueue { get; set; }

    /// <summary>Share of memory the hypervisor keeps (Karpenter's allocatable formula on AWS, 0.075).</summary>
    public double VmMemoryOverheadPercent { get; set; } = 0.075;

    /// <summary>How long one AWS call may take before it is abandoned and retried.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Retries of an idempotent call after its first attempt.</summary>
    public int MaxRetries { get; set; } = 5;
}
