using Capstan.Core.NodeGroups;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Tests.NodeGroups;

/// <summary>Cluster Autoscaler's node-template and autoscaling-option tags, read as its AWS provider reads them.</summary>
public sealed class NodeGroupTemplateTests
{
    [Fact]
    public void LabelsTaintsAndResourcesComeFromTheirTags()
    {
        var template = NodeGroupTemplate.FromTags(new Dictionary<string, string>
        {
            ["k8s.io/cluster-autoscaler/node-template/label/role"] = "group2",
            ["k8s.io/cluster-autoscaler/node-template/label/topology.ebs.csi.aws.com/zone"] = "eu-west-1a",
            ["k8s.io/cluster-autoscaler/node-template/taint/dedicated"] = "group2:NoSchedule",
            ["k8s.io/cluster-autoscaler/node-template/taint/batch-only"] = ":NoExecute",
            ["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"] = "1",
            ["k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage"] = "100Gi",
            ["eks:cluster-name"] = "my-cluster",
        });

        Assert.Equal(new Dictionary<string, string> { ["role"] = "group2", ["topology.ebs.csi.aws.com/zone"] = "eu-west-1a" }, template.Labels);
        Assert.Equal([new Taint("batch-only", "", TaintEffect.NoExecute), new Taint("dedicated", "group2", TaintEffect.NoSchedule)], template.Taints);
        Assert.Equal(Quantity.Parse("1"), template.Resources["nvidia.com/gpu"]);
        Assert.Equal(Quantity.Parse("100Gi"), template.Resources["ephemeral-storage"]);
        Assert.Empty(template.Problems);
    }

    [Fact]
    public void PerGroupScaleDownOptionsAreRead()
    {
        var template = NodeGroupTemplate.FromTags(new Dictionary<string, string>
        {
            ["k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownutilizationthreshold"] = "0.7",
            ["k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownunneededtime"] = "1h30m",
        });

        Assert.Equal(0.7, template.ScaleDownUtilizationThreshold);
        Assert.Equal(TimeSpan.FromMinutes(90), template.ScaleDownUnneededTime);
    }

    [Fact]
    public void TagsThatCannotBeReadAreProblemsInWords()
    {
        var template = NodeGroupTemplate.FromTags(new Dictionary<string, string>
        {
            ["k8s.io/cluster-autoscaler/node-template/taint/dedicated"] = "group2",
            ["k8s.io/cluster-autoscaler/node-template/taint/other"] = "x:Sometimes",
            ["k8s.io/cluster-autoscaler/node-template/resources/cpu"] = "lots",
            ["k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownutilizationthreshold"] = "1.5",
            ["k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownunneededtime"] = "ten minutes",
        });

        Assert.Empty(template.Taints);
        Assert.Equal(
        [
            "tag k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownunneededtime: \"ten minutes\" is not a duration such as 10m",
            "tag k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownutilizationthreshold: \"1.5\" is not a number between 0 and 1",
            "tag k8s.io/cluster-autoscaler/node-template/resources/cpu: \"lots\" is not a quantity",
            "tag k8s.io/cluster-autoscaler/node-template/taint/dedicated: \"group2\" is not value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute",
            "tag k8s.io/cluster-autoscaler/node-template/taint/other: \"x:Sometimes\" is not value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute",
        ], template.Problems);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    public void DiscoveryNeedsBothTagKeysWhateverTheirValues(bool enabled, bool cluster, bool expected)
    {
        var tags = new Dictionary<string, string>();
        if (enabled)
        {
            tags["k8s.io/cluster-autoscaler/enabled"] = "false";
        }

        if (cluster)
        {
            tags["k8s.io/cluster-autoscaler/my-cluster"] = "";
        }

        Assert.Equal(expected, NodeGroupTemplate.IsDiscoverable(tags, "my-cluster"));
    }
}
