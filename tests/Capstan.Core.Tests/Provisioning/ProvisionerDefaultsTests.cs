using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Tests.Provisioning;

public sealed class ProvisionerDefaultsTests
{
    [Fact]
    public void Missing_NothingSet_AddsAllFiveInOrder()
    {
        var missing = ProvisionerDefaults.Missing([]);

        Assert.Equal(
            ["kubernetes.io/os In [linux]", "kubernetes.io/arch In [amd64]", "karpenter.sh/capacity-type In [on-demand]",
             "karpenter.k8s.aws/instance-category In [c,m,r]", "karpenter.k8s.aws/instance-generation Gt 2"],
            missing.Select(r => r.ToString()));
    }

    [Fact]
    public void Missing_InstanceSelectorPresent_SkipsCategoryDefault()
    {
        var missing = ProvisionerDefaults.Missing([Labels.InstanceFamily, Labels.CapacityType]);

        Assert.Equal(["kubernetes.io/os", "kubernetes.io/arch"], missing.Select(r => r.Key));
    }

    [Fact]
    public void Missing_LegacyBetaKeyCountsAsPresent()
    {
        Assert.DoesNotContain(ProvisionerDefaults.Missing(["beta.kubernetes.io/arch"]), r => r.Key == Labels.Arch);
    }

    [Fact]
    public void Apply_IsIdempotent()
    {
        var once = ProvisionerDefaults.Apply(new Provisioner { Name = "default" });
        var twice = ProvisionerDefaults.Apply(once);

        Assert.Equal(once.Requirements, twice.Requirements);
        Assert.Equal(5, once.Requirements.Count);
    }
}
