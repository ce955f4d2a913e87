using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;

namespace Capstan.Core.Tests.InstanceTypes;

public sealed class AllocatableCalculatorTests
{
    private static readonly InstanceTypeSpec s_m5Large = new()
    {
        Name = "m5.large", Family = "m5", Category = "m", Generation = 5, Size = "large", Architecture = "amd64",
        VCpu = 2, MemoryMiB = 8192, MaxEnis = 3, Ipv4PerEni = 10, OnDemandPricePerHour = 0.096, Zones = ["us-east-1a"],
    };

    [Fact]
    public void M5Large_MatchesKarpentersWorkedExample()
    {
        var type = InstanceTypeFactory.Create(s_m5Large, [new Offering("us-east-1a", "on-demand", 0.096)]);

        Assert.Equal(Quantity.Parse("1930m"), type.Allocatable.Cpu);
        Assert.Equal(Quantity.Parse("6903Mi"), type.Allocatable.Memory);
        Assert.Equal(Quantity.FromUnits(29), type.Allocatable.Pods);
        Assert.Equal(Quantity.Parse("7577Mi"), type.Capacity.Memory);
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 70)]
    [InlineData(4, 80)]
    [InlineData(8, 90)]
    [InlineData(5, 82)]
    [InlineData(96, 310)]
    public void KubeReservedCpu_FollowsTheTiers(int vcpu, long expectedMilli)
    {
        var spec = s_m5Large with { VCpu = vcpu };
        var reserved = AllocatableCalculator.KubeReserved(spec, AllocatableCalculator.Capacity(spec, KubeletSettings.Default));

        Assert.Equal(expectedMilli, reserved.Cpu.MilliValue);
    }

    [Fact]
    public void MaxPods_OverrideAndPodsPerCore()
    {
        Assert.Equal(110, AllocatableCalculator.MaxPods(s_m5Large, new KubeletSettings { MaxPods = 110 }));
        Assert.Equal(20, AllocatableCalculator.MaxPods(s_m5Large, new KubeletSettings { PodsPerCore = 10 }));
    }

    [Fact]
    public void MaxPodsOverride_KeepsEniBasedMemoryReservation()
    {
        var type = InstanceTypeFactory.Create(s_m5Large, [new Offering("us-east-1a", "on-demand", 0.096)], new KubeletSettings { MaxPods = 110 });

        Assert.Equal(Quantity.Parse("6903Mi"), type.Allocatable.Memory);
        Assert.Equal(Quantity.FromUnits(110), type.Allocatable.Pods);
    }

    [Fact]
    public void EvictionHard_OverridesMemoryThreshold_AsQuantityOrPercent()
    {
        var quantity = InstanceTypeFactory.Create(s_m5Large, [], new KubeletSettings { EvictionHard = new Dictionary<string, string> { ["memory.available"] = "500Mi" } });
        var percent = InstanceTypeFactory.Create(s_m5Large, [], new KubeletSettings { EvictionHard = new Dictionary<string, string> { ["memory.available"] = "100%" } });

        Assert.Equal(Quantity.Parse("6503Mi"), quantity.Allocatable.Memory);
        Assert.Equal(Quantity.Parse("7003Mi"), percent.Allocatable.Memory);
    }

    [Fact]
    public void SystemAndKubeReserved_AreSubtracted()
    {
        var type = InstanceTypeFactory.Create(s_m5Large, [], new KubeletSettings
        {
            SystemReserved = ResourceList.Of("cpu", "100m", "memory", "100Mi"),
            KubeReserved = ResourceList.Of("cpu", "200m"),
        });

        Assert.Equal(Quantity.Parse("1700m"), type.Allocatable.Cpu);
        Assert.Equal(Quantity.Parse("6803Mi"), type.Allocatable.Memory);
    }

    [Fact]
    public void Arm64_LosesAnother64Mi()
    {
        var arm = s_m5Large with { Architecture = "arm64" };

        Assert.Equal(Quantity.Parse("7513Mi"), AllocatableCalculator.Capacity(arm, KubeletSettings.Default).Memory);
    }

    [Fact]
    public void Requirements_CarryWellKnownLabelsAndAbsentGpu()
    {
        var type = InstanceTypeFactory.Create(s_m5Large, [new Offering("us-east-1a", "on-demand", 0.096)], region: "us-east-1");

        Assert.True(type.Requirements.Get("karpenter.k8s.aws/instance-family")!.Allows("m5"));
        Assert.True(type.Requirements.Get("karpenter.k8s.aws/instance-generation")!.Allows("5"));
        Assert.True(type.Requirements.Get("topology.kubernetes.io/region")!.Allows("us-east-1"));
        Assert.True(type.Requirements.Get("karpenter.k8s.aws/instance-gpu-count")!.IsDoesNotExist);
    }
}
