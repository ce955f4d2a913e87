using Capstan.Kubernetes.LeaderElection;

namespace Capstan.Kubernetes.Tests.LeaderElection;

public sealed class LeaderElectionOptionsTests
{
    private static readonly LeaderElectionOptionsValidator Validator = new();

    [Fact]
    public void Defaults_AreClientGosTimings_AndValid()
    {
        var options = new LeaderElectionOptions { Namespace = "capstan" };

        Assert.Equal("Capstan:LeaderElection", LeaderElectionOptions.SectionName);
        Assert.True(options.Enabled);
        Assert.Equal("capstan-leader-election", options.LeaseName);
        Assert.Equal(TimeSpan.FromSeconds(15), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryPeriod);
        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("team-a", "team-a")]
    [InlineData(" team-a ", "team-a")]
    [InlineData(null, "capstan")]
    [InlineData("", "capstan")]
    [InlineData("  ", "capstan")]
    public void DefaultNamespace_IsPodNamespace_ElseCapstan(string? podNamespace, string expected)
    {
        var asked = new List<string>();

        var resolved = LeaderElectionOptions.DefaultNamespace(name =>
        {
            asked.Add(name);
            return podNamespace;
        });

        Assert.Equal(expected, resolved);
        Assert.Equal(["POD_NAMESPACE"], asked);
    }

    [Fact]
    public void DefaultIdentity_IsHostNameAndInstance_AndDiffersPerInstance()
    {
        var instance = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.Equal("capstan-7d9f-x2k4q_0f8fad5bd9cb469fa16570867728950e", LeaderElectionOptions.DefaultIdentity("capstan-7d9f-x2k4q", instance));
        var first = new LeaderElectionOptions().Identity;
        var second = new LeaderElectionOptions().Identity;
        Assert.NotEqual(first, second);
        Assert.StartsWith(Environment.MachineName + "_", first, StringComparison.Ordinal);
    }

    [Fact]
    public void RenewDeadline_NotShorterThanLeaseDuration_NamesTheKey()
    {
        var result = Validator.Validate(null, Valid(o => o.RenewDeadline = o.LeaseDuration));

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Capstan:LeaderElection:RenewDeadline must be shorter than LeaseDuration", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void RetryPeriod_NotShorterThanRenewDeadline_NamesTheKey()
    {
        var result = Validator.Validate(null, Valid(o => o.RetryPeriod = TimeSpan.FromSeconds(12)));

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Capstan:LeaderElection:RetryPeriod must be shorter than RenewDeadline", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LeaseDuration")]
    [InlineData("RenewDeadline")]
    [InlineData("RetryPeriod")]
    public void Durations_MustBePositive(string key)
    {
        var options = Valid(o =>
        {
            switch (key)
            {
                case "LeaseDuration":
                    o.LeaseDuration = TimeSpan.Zero;
                    break;
                case "RenewDeadline":
                    o.RenewDeadline = TimeSpan.FromSeconds(-1);
                    break;
                default:
                    o.RetryPeriod = TimeSpan.Zero;
                    break;
            }
        });

        var failure = Assert.Single(Validator.Validate(null, options).Failures!);

        Assert.StartsWith($"Capstan:LeaderElection:{key} must be positive", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void LeaseDuration_BelowOneSecond_IsRefused()
    {
        var options = Valid(o =>
        {
            o.LeaseDuration = TimeSpan.FromMilliseconds(900);
            o.RenewDeadline = TimeSpan.FromMilliseconds(600);
            o.RetryPeriod = TimeSpan.FromMilliseconds(200);
        });

        var failure = Assert.Single(Validator.Validate(null, options).Failures!);

        Assert.StartsWith("Capstan:LeaderElection:LeaseDuration must be at least 1 second", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Capstan")]
    [InlineData("team_a")]
    [InlineData("-team")]
    [InlineData("team.a")]
    [InlineData("")]
    public void Namespace_NotADns1123Label_NamesTheKey(string value)
    {
        var failure = Assert.Single(Validator.Validate(null, Valid(o => o.Namespace = value)).Failures!);

        Assert.StartsWith($"Capstan:LeaderElection:Namespace \"{value}\" is not a namespace name", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Namespace_Of64Characters_IsRefused_And63Accepted()
    {
        Assert.False(Validator.Validate(null, Valid(o => o.Namespace = new string('a', 64))).Succeeded);
        Assert.True(Validator.Validate(null, Valid(o => o.Namespace = new string('a', 63))).Succeeded);
    }

    [Theory]
    [InlineData("Capstan-Leader")]
    [InlineData("capstan..leader")]
    [InlineData("capstan-leader.")]
    [InlineData("capstan_leader")]
    public void LeaseName_NotADns1123Subdomain_NamesTheKey(string value)
    {
        var failure = Assert.Single(Validator.Validate(null, Valid(o => o.LeaseName = value)).Failures!);

        Assert.StartsWith($"Capstan:LeaderElection:LeaseName \"{value}\" is not a lease name", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void LeaseName_WithDots_IsAccepted()
    {
        Assert.True(Validator.Validate(null, Valid(o => o.LeaseName = "capstan.example.com-leader")).Succeeded);
    }

    [Fact]
    public void Identity_Empty_NamesTheKey()
    {
        var failure = Assert.Single(Validator.Validate(null, Valid(o => o.Identity = " ")).Failures!);

        Assert.StartsWith("Capstan:LeaderElection:Identity must not be empty", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Disabled_IsNotChecked()
    {
        var options = Valid(o =>
        {
            o.Enabled = false;
            o.Namespace = "Not Valid";
            o.RetryPeriod = TimeSpan.FromMinutes(1);
        });

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void SeveralMistakes_AreAllReported()
    {
        var options = Valid(o =>
        {
            o.Namespace = "Bad";
            o.LeaseName = "Bad";
            o.RenewDeadline = TimeSpan.FromSeconds(20);
        });

        Assert.Equal(3, Validator.Validate(null, options).Failures!.Count());
    }

    private static LeaderElectionOptions Valid(Action<LeaderElectionOptions> change)
    {
        var options = new LeaderElectionOptions { Namespace = "capstan", Identity = "replica-a" };
        change(options);
        return options;
    }
}
