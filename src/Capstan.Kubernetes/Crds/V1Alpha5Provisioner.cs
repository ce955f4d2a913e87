using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Capstan.Kubernetes.Crds;

/// <summary><c>karpenter.sh/v1alpha5</c> <c>Provisioner</c>, field for field (Karpenter v0.26.1's v1alpha5 API).</summary>
[KubernetesEntity(Group = Group, Kind = KindName, ApiVersion = Version, PluralName = Plural)]
public sealed class V1Alpha5Provisioner : IKubernetesObject<V1ObjectMeta>, ISpec<ProvisionerSpec>
{
    public const string Group = "karpenter.sh";
    public const string Version = "v1alpha5";
    public const string KindName = "Provisioner";
    public const string Plural = "provisioners";
    public const string GroupVersion = Group + "/" + Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ProvisionerSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public ProvisionerStatus? Status { get; set; }
}

public sealed class ProvisionerSpec
{
    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("taints")]
    public List<V1Taint>? Taints { get; set; }

    [JsonPropertyName("startupTaints")]
    public List<V1Taint>? StartupTaints { get; set; }

    [JsonPropertyName("requirements")]
    public List<V1NodeSelectorRequirement>? Requirements { get; set; }

    [JsonPropertyName("kubeletConfiguration")]
    public KubeletConfiguration? KubeletConfiguration { get; set; }

    /// <summary>The v0.5-era inline AWS provider block, kept raw so the webhook can decode it strictly.</summary>
    [JsonPropertyName("provider")]
    public Dictionary<string, object?>? Provider { get; set; }

    [JsonPropertyName("providerRef")]
    public ProviderRef? ProviderRef { get; set; }

    [JsonPropertyName("ttlSecondsAfterEmpty")]
    public long? TtlSecondsAfterEmpty { get; set; }

    [JsonPropertyName("ttlSecondsUntilExpired")]
    public long? TtlSecondsUntilExpired { get; set; }

    [JsonPropertyName("limits")]
    public ProvisionerLimits? Limits { get; set; }

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }

    [JsonPropertyName("consolidation")]
    public Consolidation? Consolidation { get; set; }
}

public sealed class ProviderRef
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }
}

public sealed class ProvisionerLimits
{
    [JsonPropertyName("resources")]
    public Dictionary<string, ResourceQuantity>? Resources { get; set; }
}

public sealed class Consolidation
{
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }
}

public sealed class KubeletConfiguration
{
    [JsonPropertyName("clusterDNS")]
    public List<string>? ClusterDNS { get; set; }

    [JsonPropertyName("containerRuntime")]
    public string? ContainerRuntime { get; set; }

    [JsonPropertyName("maxPods")]
    public int? MaxPods { get; set; }

    [JsonPropertyName("podsPerCore")]
    public int? PodsPerCore { get; set; }

    [JsonPropertyName("systemReserved")]
    public Dictionary<string, ResourceQuantity>? SystemReserved { get; set; }

    [JsonPropertyName("kubeReserved")]
    public Dictionary<string, ResourceQuantity>? KubeReserved { get; set; }

    [JsonPropertyName("evictionHard")]
    public Dictionary<string, string>? EvictionHard { get; set; }

    [JsonPropertyName("evictionSoft")]
    public Dictionary<string, string>? EvictionSoft { get; set; }

    [JsonPropertyName("evictionSoftGracePeriod")]
    public Dictionary<string, string>? EvictionSoftGracePeriod { get; set; }

    [JsonPropertyName("evictionMaxPodGracePeriod")]
    public int? EvictionMaxPodGracePeriod { get; set; }

    [JsonPropertyName("imageGCHighThresholdPercent")]
    public int? ImageGCHighThresholdPercent { get; set; }

    [JsonPropertyName("imageGCLowThresholdPercent")]
    public int? ImageGCLowThresholdPercent { get; set; }

    [JsonPropertyName("cpuCFSQuota")]
    public bool? CpuCFSQuota { get; set; }
}

public sealed class ProvisionerStatus
{
    [JsonPropertyName("lastScaleTime")]
    public DateTime? LastScaleTime { get; set; }

    [JsonPropertyName("conditions")]
    public List<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("resources")]
    public Dictionary<string, ResourceQuantity>? Resources { get; set; }
}
