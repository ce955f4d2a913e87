using Capstan.Controllers.NodeGroups;

namespace Capstan.Controllers.Tests;

/// <summary>Node-group settings that cannot work are refused at start, each with its key.</summary>
public sealed class NodeGroupOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.True(new NodeGroupOptionsValidator().Validate(null, new NodeGroupOptions()).Succeeded);

    [Fact]
    public void EveryBrokenSettingIsNamed()
    {
        var result = new NodeGroupOptionsValidator().Validate(null, new NodeGroupOptions
        {
            Expander = "priority,cheapest",
            RefreshInterval = TimeSpan.Zero,
            InitialBackoff = TimeSpan.FromMinutes(10),
            MaxBackoff = TimeSpan.FromMinutes(5),
            ScaleDownUtilizationThreshold = 1.5,
            ScaleDownUnneededTime = TimeSpan.FromMinutes(-1),
            MaxEmptyBulkDelete = 0,
            PriorityConfigMapNamespace = " ",
        });

        Assert.Equal(
        [
            "Capstan:NodeGroups:Expander: unknown expander cheapest (known: least-waste, price, priority, random, most-pods, least-nodes)",
            "Capstan:NodeGroups:RefreshInterval must be a positive duration (got 00:00:00)",
            "Capstan:NodeGroups:MaxBackoff must not be shorter than Capstan:NodeGroups:InitialBackoff (got 00:05:00 and 00:10:00)",
            "Capstan:NodeGroups:ScaleDownUnneededTime must not be negative (got -00:01:00)",
            "Capstan:NodeGroups:ScaleDownUtilizationThreshold must be between 0 and 1 (got 1.5)",
            "Capstan:NodeGroups:MaxEmptyBulkDelete must be at least 1 (got 0)",
            "Capstan:NodeGroups:PriorityConfigMapNamespace must name a namespace",
        ], result.Failures);
    }

    [Fact]
    public void Balancing_IsOffUnlessAsked_AndTakesTheConfiguredLabelsBesideTheDefaultOnes()
    {
        Assert.False(new NodeGroupOptions { BalancingIgnoreLabels = "team" }.Balancing().Enabled);

        var balancing = new NodeGroupOptions { BalanceSimilarNodeGroups = true, BalancingIgnoreLabels = " team , tier,," }.Balancing();

        Assert.True(balancing.Enabled);
        Assert.Contains("team", balancing.IgnoredLabels);
        Assert.Contains("tier", balancing.IgnoredLabels);
        Assert.Contains("eks.amazonaws.com/nodegroup", balancing.IgnoredLabels);
        Assert.DoesNotContain("", balancing.IgnoredLabels);
    }
}
