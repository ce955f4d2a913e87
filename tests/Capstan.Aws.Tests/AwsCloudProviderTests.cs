using Capstan.Aws.Instances;
using Capstan.Aws.Launch;
using Capstan.Aws.Offerings;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Aws.Tests;

public sealed class AwsCloudProviderTests
{
    [Fact]
    public async Task MarkOfferingUnavailable_HoldsTheOfferingInTheSharedRecord_SoTheNextInstanceTypesReportItUnavailable()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithAl2Parameters().WithTypes("m5.large", "c5.xlarge");
        using var meters = new TestMeterFactory();
        var resolver = world.Resolver();
        var (instanceTypes, _, _) = world.Provider(resolver);
        ICloudProvider cloud = new AwsCloudProvider(
            resolver,
            instanceTypes,
            new FleetLauncher(world.Ec2Client, world.Pipelines, world.Options, world.Unavailable, world.Time, new ListLogger<FleetLauncher>()),
            new InstanceRepository(world.Ec2Client, world.Pipelines, world.Options, world.Time, new ListLogger<InstanceRepository>()),
            world.Unavailable,
            new CloudProviderMetrics(meters));
        var before = await cloud.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(ReadWorld.Timeout);
        Assert.All(before.SelectMany(t => t.Offerings), o => Assert.True(o.Available));

        cloud.MarkOfferingUnavailable("m5.large", "us-east-1b", Labels.CapacityTypeSpot, "SpotInterruption");
        var after = await cloud.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(ReadWorld.Timeout);

        var held = Assert.Single(after.SelectMany(t => t.Offerings.Where(o => !o.Available).Select(o => (t.Name, o.Zone, o.CapacityType))));
        Assert.Equal(("m5.large", "us-east-1b", Labels.CapacityTypeSpot), held);
        var (key, reason, until) = Assert.Single(world.Unavailable.Current());
        Assert.Equal(UnavailableOfferings.Key(Labels.CapacityTypeSpot, "m5.large", "us-east-1b"), key);
        Assert.Equal("SpotInterruption", reason);
        Assert.Equal(world.Time.GetUtcNow() + UnavailableOfferings.DefaultTtl, until);
    }
}
