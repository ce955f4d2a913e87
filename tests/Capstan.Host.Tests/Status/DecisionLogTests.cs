using System.Reflection;
using Capstan.Host.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Host.Tests.Status;

/// <summary>The decision feed: which log lines it keeps, how many, and the pending reasons it reads from them.</summary>
public sealed class DecisionLogTests
{
    private readonly FakeTimeProvider _time = new(StatusWorld.Now);

    private (DecisionLog Log, ILoggerFactory Factory) Feed(int decisions = 200)
    {
        var log = new DecisionLog(Microsoft.Extensions.Options.Options.Create(new StatusOptions { Decisions = decisions }));
        var factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new DecisionLoggerProvider(log, _time)));
        return (log, factory);
    }

    [Fact]
    public void Feed_KeepsCapstansInformationAndLouderLines_NewestFirst_WithoutExceptionText()
    {
        var (log, factory) = Feed();
        using var _ = factory;
        var controller = factory.CreateLogger("Capstan.Controllers.Provisioning.ProvisioningController");
#pragma warning disable CA1848, CA2254 // plain lines stand in for the controllers' generated ones
        controller.LogInformation("Launched instance i-1");
        _time.Advance(TimeSpan.FromSeconds(3));
        controller.LogError(new InvalidOperationException("secret stack"), "Launching node claim c-1 failed");
        controller.LogDebug("a debug line");
        factory.CreateLogger("Microsoft.AspNetCore.Routing").LogWarning("not ours");
        factory.CreateLogger("CapstanLike").LogWarning("not ours either");
#pragma warning restore CA1848, CA2254, CA1873

        var recent = log.Recent();

        Assert.Equal(
            [new Decision(StatusWorld.Now.AddSeconds(3), "error", "Launching node claim c-1 failed"), new Decision(StatusWorld.Now, "information", "Launched instance i-1")],
            recent);
    }

    [Fact]
    public void Feed_IsBounded_DroppingTheOldest()
    {
        var (log, factory) = Feed(decisions: 3);
        using var _ = factory;
        var logger = factory.CreateLogger("Capstan.Host");
        for (var i = 0; i < 5; i++)
        {
#pragma warning disable CA1848, CA2254, CA1873
            logger.LogInformation($"line {i}");
#pragma warning restore CA1848, CA2254, CA1873
        }

        Assert.Equal(["line 4", "line 3", "line 2"], log.Recent().Select(d => d.Message));
    }

    [Fact]
    public void Feed_ReadsThePendingReason_FromTheProvisioningControllersOwnLogLine()
    {
        var (log, factory) = Feed();
        using var _ = factory;
        var logger = factory.CreateLogger("Capstan.Controllers.Provisioning.ProvisioningController");
        // The controllers' generated method itself, so a renamed event or field fails here rather than on the page.
        var couldNotSchedule = typeof(Capstan.Controllers.ControllerManager).Assembly.GetType("Capstan.Controllers.Log")!
            .GetMethod("CouldNotSchedule", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;

        couldNotSchedule.Invoke(null, [logger, "shop/web-0", "no instance type has 64 cpu"]);

        Assert.Equal("no instance type has 64 cpu", log.PendingReason("shop/web-0"));
        Assert.Equal("Could not schedule pod shop/web-0: no instance type has 64 cpu", Assert.Single(log.Recent()).Message);
    }

    [Fact]
    public void PendingReasons_AreBounded()
    {
        var log = new DecisionLog(Microsoft.Extensions.Options.Options.Create(new StatusOptions()));
        for (var i = 0; i <= DecisionLog.MaxReasons; i++)
        {
            log.NotePendingReason($"default/p-{i}", "r");
        }

        Assert.Null(log.PendingReason("default/p-0"));
        Assert.Equal("r", log.PendingReason($"default/p-{DecisionLog.MaxReasons}"));
    }

    [Fact]
    public void Options_BadValues_AreNamedByKey()
    {
        var result = new StatusOptionsValidator().Validate(null, new StatusOptions { SampleInterval = TimeSpan.Zero, TimelinePoints = 1, Decisions = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Capstan:Status:SampleInterval must be at least one second (got 00:00:00)", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Capstan:Status:TimelinePoints must be between 2 and 100000 (got 1)", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Capstan:Status:Decisions must be between 1 and 100000 (got 0)", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new StatusOptionsValidator().Validate(null, new StatusOptions()).Succeeded);
    }
}
