using Capstan.Core.Cloud;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Kubernetes.Crds;
using k8s.Models;

namespace Capstan.Kubernetes.Conversions;

/// <summary><c>karpenter.sh/v1alpha5</c> Provisioner objects into the Core <see cref="Provisioner"/>.</summary>
public static class ProvisionerConversions
{
    /// <summary>Converts without applying defaults; see <see cref="ProvisionerDefaults"/>.</summary>
    public static Provisioner ToProvisioner(V1Alpha5Provisioner provisioner)
    {
        ArgumentNullException.ThrowIfNull(provisioner);
        var spec = provisioner.Spec ?? new ProvisionerSpec();
        var kubelet = spec.KubeletConfiguration;
        return new Provisioner
        {
            Name = provisioner.Metadata?.Name ?? "",
            Labels = spec.Labels ?? new Dictionary<string, string>(),
            Annotations = spec.Annotations ?? new Dictionary<string, string>(),
            Requirements = SelectorConversions.ToRequirements(spec.Requirements),
            Taints = SelectorConversions.ToTaints(spec.Taints),
            StartupTaints = SelectorConversions.ToTaints(spec.StartupTaints),
            Limits = spec.Limits?.Resources is { } limits ? PodConversions.ToResourceList(limits) : null,
            Weight = spec.Weight ?? 0,
            TtlSecondsAfterEmpty = spec.TtlSecondsAfterEmpty,
            TtlSecondsUntilExpired = spec.TtlSecondsUntilExpired,
            ConsolidationEnabled = spec.Consolidation?.Enabled == true,
            ProviderRef = spec.ProviderRef?.Name,
            InlineTemplate = Inline(spec.Provider),
            Kubelet = kubelet is null
                ? KubeletSettings.Default
                : new KubeletSettings
                {
                    MaxPods = kubelet.MaxPods,
                    PodsPerCore = kubelet.PodsPerCore,
                    KubeReserved = ToList(kubelet.KubeReserved),
                    SystemReserved = ToList(kubelet.SystemReserved),
                    EvictionHard = kubelet.EvictionHard ?? new Dictionary<string, string>(),
                    ClusterDns = kubelet.ClusterDNS ?? [],
                    ContainerRuntime = kubelet.ContainerRuntime,
                    EvictionSoft = kubelet.EvictionSoft ?? new Dictionary<string, string>(),
                    EvictionSoftGracePeriod = kubelet.EvictionSoftGracePeriod ?? new Dictionary<string, string>(),
                    EvictionMaxPodGracePeriod = kubelet.EvictionMaxPodGracePeriod,
                    ImageGcHighThresholdPercent = kubelet.ImageGCHighThresholdPercent,
                    ImageGcLowThresholdPercent = kubelet.ImageGCLowThresholdPercent,
                    CpuCfsQuota = kubelet.CpuCFSQuota,
                },
        };
    }

    /// <summary>The inline provider block as a template; one with a value of the wrong type gives none (admission denies it).</summary>
    private static NodeTemplate? Inline(Dictionary<string, object?>? provider)
    {
        if (provider is null)
        {
            return null;
        }

        try
        {
            return NodeTemplateConversions.FromInlineProvider(provider);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static ResourceList ToList(Dictionary<string, ResourceQuantity>? quantities) =>
        quantities is null ? ResourceList.Empty : PodConversions.ToResourceList(quantities);
}
