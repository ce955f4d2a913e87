using Capstan.Aws.Catalog;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Tests.Offerings;

public sealed class InstanceTypeProviderTests
{
    private static readonly TimeSpan s_timeout = ReadWorld.Timeout;

    [Fact]
    public async Task GetInstanceTypesAsync_OfferedOnlyInTheSubnetsZones_AsksForThoseZones()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large", "c5.xlarge", "m6g.large");
        var (provider, _, _) = world.Provider();

        var types = await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["c5.xlarge", "m5.large", "m6g.large"], types.Select(t => t.Name));
        Assert.All(types, t => Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], t.Offerings.Select(o => o.Zone).Distinct().Order()));
        Assert.All(types, t => Assert.Equal(6, t.Offerings.Count));
        var call = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeInstanceTypeOfferings"));
        Assert.Equal("availability-zone", call.Get("LocationType"));
        var filter = Assert.Single(call.Filters());
        Assert.Equal("location", filter.Name);
        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], filter.Values);
        Assert.Contains(types[0].Requirements.Get(Labels.Region)!.Values, v => v == "us-east-1");
    }

    [Fact]
    public async Task GetInstanceTypesAsync_ConvertsEc2Facts_AsTheCatalogComputesThem()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large", "m6g.large", "g5.xlarge", "inf1.xlarge");
        var (provider, _, _) = world.Provider();

        var types = (await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout)).ToDictionary(t => t.Name);

        var m5 = types["m5.large"];
        Assert.Equal(Quantity.Parse("1930m"), m5.Allocatable.Cpu);
        Assert.Equal(Quantity.Parse("6903Mi"), m5.Allocatable.Memory);
        Assert.Equal(Quantity.Parse("29"), m5.Capacity.Pods);
        Assert.Equal(["arm64"], types["m6g.large"].Requirements.Get(Labels.Arch)!.Values);
        var g5 = types["g5.xlarge"].Requirements;
        Assert.Equal(["a10g"], g5.Get(Labels.InstanceGpuName)!.Values);
        Assert.Equal(["nvidia"], g5.Get(Labels.InstanceGpuManufacturer)!.Values);
        Assert.Equal(["1"], g5.Get(Labels.InstanceGpuCount)!.Values);
        Assert.Equal(["250"], g5.Get(Labels.InstanceLocalNvme)!.Values);
        Assert.Equal(["g"], g5.Get(Labels.InstanceCategory)!.Values);
        Assert.Equal(["5"], g5.Get(Labels.InstanceGeneration)!.Values);
        foreach (var name in new[] { "m5.large", "m6g.large", "g5.xlarge", "inf1.xlarge" })
        {
            var fromCatalog = InstanceTypeFactory.Create(InstanceCatalog.BuiltIn.Specs[name], InstanceCatalog.Offerings(InstanceCatalog.BuiltIn.Specs[name]));
            Assert.Equal(fromCatalog.Capacity, types[name].Capacity);
            Assert.Equal(fromCatalog.Allocatable, types[name].Allocatable);
        }
    }

    [Fact]
    public async Task GetInstanceTypesAsync_SpotPrices_NewestPerZone()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large");
        var now = world.Time.GetUtcNow();
        world.Ec2.AddSpotPrice("m5.large", "us-east-1a", 0.0301, now.AddMinutes(-30));
        world.Ec2.AddSpotPrice("m5.large", "us-east-1a", 0.0299, now.AddMinutes(-90));
        world.Ec2.AddSpotPrice("m5.large", "us-east-1b", 0.0389, now.AddMinutes(-10));
        var (provider, _, _) = world.Provider();

        var m5 = Assert.Single(await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal(0.0301, Spot(m5, "us-east-1a").PricePerHour, 6);
        Assert.Equal(0.0389, Spot(m5, "us-east-1b").PricePerHour, 6);
        Assert.Equal(0.0384, Spot(m5, "us-east-1c").PricePerHour, 6);
        Assert.False(Spot(m5, "us-east-1a").PriceIsEstimate);
        var call = Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSpotPriceHistory"));
        Assert.Equal("Linux/UNIX", call.Get("ProductDescription.1"));
        Assert.Equal(now, DateTimeOffset.Parse(call.Get("StartTime")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetInstanceTypesAsync_OnDemandPricesFromThePriceList()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        var spec = InstanceCatalog.BuiltIn.Specs["m5.large"];
        world.Ec2.AddInstanceTypes([spec], ["us-east-1a"]);
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.1234);
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.192, operatingSystem: "Windows");
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.101, tenancy: "Dedicated");
        world.Pricing.AddInstancePrice("m5.large", "eu-west-1", 0.107);
        var (provider, _, _) = world.Provider();

        var m5 = Assert.Single(await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout));

        var onDemand = Assert.Single(m5.Offerings, o => o.CapacityType == Labels.CapacityTypeOnDemand);
        Assert.Equal(0.1234, onDemand.PricePerHour, 6);
        Assert.DoesNotContain(m5.Offerings, o => o.CapacityType == Labels.CapacityTypeSpot);
        Assert.DoesNotContain(world.PriceLog.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task GetInstanceTypesAsync_PriceListFails_FallsBackToTheCatalogWithOneWarning()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large");
        world.StandIn.Fail(new AwsFaultRule { Service = "pricing", Fault = AwsFault.ServerError });
        var (provider, _, _) = world.Provider();

        var m5 = Assert.Single(await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout));

        Assert.All(m5.Offerings.Where(o => o.CapacityType == Labels.CapacityTypeOnDemand), o => Assert.Equal(0.096, o.PricePerHour, 6));
        var warning = Assert.Single(world.PriceLog.Lines, l => l.Level == LogLevel.Warning);
        Assert.Equal(5121, warning.Id.Id);
        Assert.Contains("using the built-in catalog's prices", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Pricing GetProducts failed: InternalFailure", warning.Message, StringComparison.Ordinal);
        Assert.Equal(6, world.StandIn.CallsOf("pricing", "GetProducts").Count);
    }

    [Fact]
    public async Task GetInstanceTypesAsync_UnavailableOffering_ReportedUnavailableWithoutCallingEc2Again()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large", "c5.xlarge");
        var (provider, _, _) = world.Provider();
        var first = await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);
        Assert.All(first.SelectMany(t => t.Offerings), o => Assert.True(o.Available));
        var calls = world.StandIn.Calls.Count;

        world.Unavailable.MarkUnavailable(Labels.CapacityTypeSpot, "m5.large", "us-east-1a", "InsufficientInstanceCapacity");
        var second = await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);

        var m5 = second.Single(t => t.Name == "m5.large");
        Assert.False(Spot(m5, "us-east-1a").Available);
        Assert.Equal(5, m5.Offerings.Count(o => o.Available));
        Assert.All(second.Single(t => t.Name == "c5.xlarge").Offerings, o => Assert.True(o.Available));
        Assert.Same(first.Single(t => t.Name == "c5.xlarge"), second.Single(t => t.Name == "c5.xlarge"));
        Assert.Equal(calls, world.StandIn.Calls.Count);

        world.Time.Advance(UnavailableOfferings.DefaultTtl + TimeSpan.FromSeconds(1));
        var third = await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);
        Assert.True(Spot(third.Single(t => t.Name == "m5.large"), "us-east-1a").Available);
    }

    [Fact]
    public async Task GetInstanceTypesAsync_TypeWithoutAnyPrice_IsLeftOut()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large");
        var unknown = InstanceCatalog.BuiltIn.Specs["m5.large"] with { Name = "m99.large", Family = "m99", Generation = 99, OnDemandPricePerHour = 0 };
        world.Ec2.AddInstanceTypes([unknown], ["us-east-1a"]);
        var (provider, _, _) = world.Provider();

        var types = await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(["m5.large"], types.Select(t => t.Name));
    }

    [Fact]
    public async Task GetInstanceTypesAsync_Cached_FiveMinutes()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large");
        var (provider, _, _) = world.Provider();
        var template = ReadWorld.Template();

        var first = await provider.GetInstanceTypesAsync(template, KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);
        world.Time.Advance(TimeSpan.FromSeconds(50));
        var second = await provider.GetInstanceTypesAsync(template, KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);
        Assert.Same(first, second);
        Assert.Single(world.StandIn.CallsOf("ec2", "DescribeInstanceTypes"));

        world.Ec2.AddInstanceTypes([InstanceCatalog.BuiltIn.Specs["c5.xlarge"]], ["us-east-1a"]);
        world.Pricing.AddInstancePrice("c5.xlarge", "us-east-1", 0.17);
        world.Time.Advance(TimeSpan.FromMinutes(5));
        var later = await provider.GetInstanceTypesAsync(template, KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "DescribeInstanceTypes").Count);
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "DescribeInstanceTypeOfferings").Count);
        Assert.Equal(2, world.StandIn.CallsOf("ec2", "DescribeSpotPriceHistory").Count);
        Assert.Single(world.StandIn.CallsOf("pricing", "GetProducts"));
        Assert.Equal(["m5.large"], later.Select(t => t.Name));

        var withMaxPods = await provider.GetInstanceTypesAsync(template, KubeletSettings.Default with { MaxPods = 20 }, CancellationToken.None).WaitAsync(s_timeout);
        Assert.Equal(Quantity.Parse("20"), withMaxPods[0].Capacity.Pods);
    }

    [Fact]
    public async Task GetInstanceTypesAsync_ManyPages_ReadsThemAll()
    {
        var names = InstanceCatalog.BuiltIn.Specs.Values.Where(s => s.Family == "m5" && s.OnDemandPricePerHour > 0).Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes(names);
        var (provider, _, _) = world.Provider(typesPage: 5);

        var types = await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(names, types.Select(t => t.Name));
        Assert.Equal((names.Length + 4) / 5, world.StandIn.CallsOf("ec2", "DescribeInstanceTypes").Count);
    }

    [Fact]
    public async Task GetInstanceTypesAsync_ThrottlingStorm_SurvivedThroughRetries()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large");
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "DescribeInstanceTypes", Fault = AwsFault.Throttle, Times = 3 });
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "DescribeSpotPriceHistory", Fault = AwsFault.Unavailable, Times = 2 });
        world.StandIn.Fail(new AwsFaultRule { Service = "pricing", Fault = AwsFault.Throttle, Times = 2 });
        var (provider, _, _) = world.Provider();

        var m5 = Assert.Single(await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal(6, m5.Offerings.Count);
        Assert.Equal(4, world.StandIn.CallsOf("ec2", "DescribeInstanceTypes").Count);
        Assert.Equal(3, world.StandIn.CallsOf("pricing", "GetProducts").Count);
        Assert.DoesNotContain(world.PriceLog.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task GetInstanceTypesAsync_MalformedXml_ThrowsCloudProviderExceptionInWords()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large");
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "DescribeInstanceTypes", Fault = AwsFault.Malformed });
        var (provider, _, _) = world.Provider();

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout));

        Assert.StartsWith("EC2 DescribeInstanceTypes failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInstanceTypesAsync_SpotHistoryFails_SpotFallsBackToEstimatesWithAWarning()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork().WithTypes("m5.large");
        world.StandIn.Fail(new AwsFaultRule { Service = "ec2", Action = "DescribeSpotPriceHistory", Fault = AwsFault.ServerError });
        var (provider, _, _) = world.Provider();

        var m5 = Assert.Single(await provider.GetInstanceTypesAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout));

        var spot = Spot(m5, "us-east-1a");
        Assert.True(spot.PriceIsEstimate);
        Assert.Equal(Math.Round(0.096 * InstanceCatalog.SpotFraction("m5.large", "us-east-1a"), 6), spot.PricePerHour, 6);
        Assert.Contains(world.SpotLog.Lines, l => l.Level == LogLevel.Warning && l.Id.Id == 5112);
    }

    [Fact]
    public async Task RefreshAsync_FullCatalog_EveryOfferedTypeMerged()
    {
        await using var world = (await ReadWorld.StartAsync()).WithDemoNetwork();
        var offered = InstanceCatalog.BuiltIn.Specs.Values.Where(s => InstanceCatalog.BuiltIn.OfferingsByType[s.Name].Count > 0).ToList();
        world.Ec2.AddInstanceTypes(offered);
        world.Pricing.AddInstancePrices(offered, "us-east-1");
        var (provider, _, _) = world.Provider();

        var types = await provider.RefreshAsync(ReadWorld.Template(), KubeletSettings.Default, CancellationToken.None).WaitAsync(s_timeout);

        var expected = offered.Where(s => s.Zones.Any(z => z is "us-east-1a" or "us-east-1b" or "us-east-1c")).Select(s => s.Name).Order(StringComparer.Ordinal);
        Assert.Equal(expected, types.Select(t => t.Name));
        Assert.All(types, t => Assert.All(t.Offerings, o => Assert.Equal(Labels.CapacityTypeOnDemand, o.CapacityType)));
        Assert.Single(world.StandIn.CallsOf("ec2", "DescribeSubnets"));
        Assert.Equal((offered.Count + 99) / 100, world.StandIn.CallsOf("ec2", "DescribeInstanceTypes").Count);
    }

    private static Offering Spot(InstanceType type, string zone) =>
        Assert.Single(type.Offerings, o => o.CapacityType == Labels.CapacityTypeSpot && o.Zone == zone);
}
