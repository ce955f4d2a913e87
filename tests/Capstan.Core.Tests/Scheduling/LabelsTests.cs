using Capstan.Core.Scheduling;

namespace Capstan.Core.Tests.Scheduling;

public sealed class LabelsTests
{
    [Theory]
    [InlineData("intent", false)]
    [InlineData("example.com/team", false)]
    [InlineData("kubernetes.io/hostname", true)]
    [InlineData("karpenter.sh/emptiness-timestamp", true)]
    [InlineData("karpenter.sh/anything", true)]
    [InlineData("k8s.io/foo", true)]
    [InlineData("sub.kubernetes.io/foo", true)]
    [InlineData("karpenter.k8s.aws/foo", true)]
    [InlineData("node.kubernetes.io/instance-type", false)]
    [InlineData("node.kubernetes.io/custom", false)]
    [InlineData("kops.k8s.io/instancegroup", false)]
    [InlineData("testing.karpenter.sh/x", false)]
    [InlineData("topology.kubernetes.io/zone", false)]
    [InlineData("karpenter.sh/capacity-type", false)]
    [InlineData("karpenter.k8s.aws/instance-family", false)]
    public void IsRestrictedLabel_FollowsV1Alpha5(string key, bool restricted)
    {
        Assert.Equal(restricted, Labels.IsRestrictedLabel(key));
    }

    [Theory]
    [InlineData("topology.kubernetes.io/zone", true)]
    [InlineData("karpenter.k8s.aws/instance-family", true)]
    [InlineData("intent", false)]
    [InlineData("kubernetes.io/hostname", true)]
    public void IsRestrictedNodeLabel_WellKnownComeFromTheCloudProvider(string key, bool restricted)
    {
        Assert.Equal(restricted, Labels.IsRestrictedNodeLabel(key));
    }
}
