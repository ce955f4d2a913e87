using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Kubernetes.Conversions;
using Capstan.Kubernetes.Crds;
using k8s;

namespace Capstan.Kubernetes.Tests.Conversions;

public sealed class ProvisionerConversionsTests
{
    private static readonly Dictionary<string, Type> s_types = new()
    {
        ["karpenter.sh/v1alpha5/Provisioner"] = typeof(V1Alpha5Provisioner),
    };

    [Fact]
    public void TutorialProvisioner_ConvertsEveryField()
    {
        var crd = (V1Alpha5Provisioner)KubernetesYaml.LoadAllFromString("""
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: default
            spec:
              labels:
                intent: apps
              taints:
                - { key: team, value: a, effect: NoSchedule }
              startupTaints:
                - { key: cni, effect: NoExecute }
              requirements:
                - key: karpenter.sh/capacity-type
                  operator: In
                  values: ["on-demand"]
                - key: karpenter.k8s.aws/instance-size
                  operator: NotIn
                  values: [nano, micro, small, medium, large]
              kubeletConfiguration:
                maxPods: 110
                systemReserved: { cpu: 100m }
                clusterDNS: ["10.100.0.10"]
                containerRuntime: containerd
                evictionSoft: { memory.available: 1Gi }
                evictionSoftGracePeriod: { memory.available: 1m30s }
                evictionMaxPodGracePeriod: 60
                imageGCHighThresholdPercent: 80
                imageGCLowThresholdPercent: 60
                cpuCFSQuota: false
              limits:
                resources:
                  cpu: 1000
                  memory: 1000Gi
              weight: 10
              ttlSecondsAfterEmpty: 30
              ttlSecondsUntilExpired: 2592000
              providerRef:
                name: default
            """, s_types).Single();

        var provisioner = ProvisionerConversions.ToProvisioner(crd);

        Assert.Equal("default", provisioner.Name);
        Assert.Equal("apps", provisioner.Labels["intent"]);
        Assert.Equal(new Taint("team", "a", TaintEffect.NoSchedule), Assert.Single(provisioner.Taints));
        Assert.Equal(new Taint("cni", "", TaintEffect.NoExecute), Assert.Single(provisioner.StartupTaints));
        Assert.Equal(2, provisioner.Requirements.Count);
        Assert.Equal(Quantity.Parse("1000"), provisioner.Limits!.Cpu);
        Assert.Equal(Quantity.Parse("1000Gi"), provisioner.Limits.Memory);
        Assert.Equal(10, provisioner.Weight);
        Assert.Equal(30, provisioner.TtlSecondsAfterEmpty);
        Assert.Equal(2592000, provisioner.TtlSecondsUntilExpired);
        Assert.Equal(110, provisioner.Kubelet.MaxPods);
        Assert.Equal(Quantity.Parse("100m"), provisioner.Kubelet.SystemReserved.Cpu);
        Assert.Equal(["10.100.0.10"], provisioner.Kubelet.ClusterDns);
        Assert.Equal("containerd", provisioner.Kubelet.ContainerRuntime);
        Assert.Equal("1Gi", provisioner.Kubelet.EvictionSoft["memory.available"]);
        Assert.Equal("1m30s", provisioner.Kubelet.EvictionSoftGracePeriod["memory.available"]);
        Assert.Equal((60, 80, 60, false), (provisioner.Kubelet.EvictionMaxPodGracePeriod, provisioner.Kubelet.ImageGcHighThresholdPercent,
            provisioner.Kubelet.ImageGcLowThresholdPercent, provisioner.Kubelet.CpuCfsQuota));
        Assert.Equal("default", provisioner.ProviderRef);

        var defaulted = ProvisionerDefaults.Apply(provisioner);
        Assert.True(defaulted.Requirements.Get(Labels.InstanceCategory)!.Allows("m"));
        Assert.False(defaulted.NodeRequirements().Get(Labels.CapacityType)!.Allows("spot"));
        Assert.True(defaulted.NodeRequirements().Get(Labels.ProvisionerName)!.Allows("default"));
    }
}
