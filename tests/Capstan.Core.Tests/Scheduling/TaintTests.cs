using Capstan.Core.Scheduling;

namespace Capstan.Core.Tests.Scheduling;

public sealed class TaintTests
{
    private static readonly Taint s_dedicated = new("dedicated", "gpu", TaintEffect.NoSchedule);

    [Fact]
    public void Equal_SameKeyValueEffect_Tolerates()
    {
        Assert.True(Toleration.Equal("dedicated", "gpu", TaintEffect.NoSchedule).Tolerates(s_dedicated));
        Assert.False(Toleration.Equal("dedicated", "cpu", TaintEffect.NoSchedule).Tolerates(s_dedicated));
    }

    [Fact]
    public void EmptyEffect_MatchesEveryEffect()
    {
        Assert.True(Toleration.Equal("dedicated", "gpu").Tolerates(s_dedicated));
        Assert.False(Toleration.Equal("dedicated", "gpu", TaintEffect.NoExecute).Tolerates(s_dedicated));
    }

    [Fact]
    public void Exists_IgnoresValue_EmptyKeyMatchesAll()
    {
        Assert.True(Toleration.Exists("dedicated").Tolerates(s_dedicated));
        Assert.True(Toleration.Exists().Tolerates(s_dedicated));
        Assert.True(Toleration.Exists().Tolerates(new Taint("other", "", TaintEffect.NoExecute)));
        Assert.False(Toleration.Exists("other").Tolerates(s_dedicated));
    }

    [Fact]
    public void EqualWithEmptyKey_MatchesNothing()
    {
        Assert.False(new Toleration("", TolerationOperator.Equal, "gpu", TaintEffect.None).Tolerates(s_dedicated));
    }

    [Fact]
    public void FirstUntolerated_IgnoresPreferNoSchedule()
    {
        var taints = new[] { new Taint("soft", "", TaintEffect.PreferNoSchedule), new Taint("hard", "x", TaintEffect.NoExecute) };

        Assert.Equal(taints[1], Toleration.FirstUntolerated(taints, []));
        Assert.Null(Toleration.FirstUntolerated(taints, [Toleration.Exists("hard")]));
    }

    [Theory]
    [InlineData("", TaintEffect.None)]
    [InlineData("NoSchedule", TaintEffect.NoSchedule)]
    [InlineData("PreferNoSchedule", TaintEffect.PreferNoSchedule)]
    [InlineData("NoExecute", TaintEffect.NoExecute)]
    public void TryParseEffect_KnownEffects(string text, TaintEffect expected)
    {
        Assert.True(Taint.TryParseEffect(text, out var effect));
        Assert.Equal(expected, effect);
    }

    [Fact]
    public void TryParseEffect_Unknown_Fails()
    {
        Assert.False(Taint.TryParseEffect("Sometimes", out _));
    }
}
