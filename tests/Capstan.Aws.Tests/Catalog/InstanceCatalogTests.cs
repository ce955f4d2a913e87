using System.Text;
using Capstan.Aws.Catalog;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Aws.Tests.Catalog;

public sealed class InstanceCatalogTests
{
    private static readonly InstanceCatalog s_catalog = InstanceCatalog.BuiltIn;

    [Fact]
    public void BuiltIn_HasEveryUsEast1Type()
    {
        Assert.Equal(1353, s_catalog.Count);
        Assert.Equal("us-east-1", s_catalog.Region);
    }

    [Theory]
    [InlineData("m5.large", 2, 8192, "amd64", 0.096)]
    [InlineData("c5.xlarge", 4, 8192, "amd64", 0.17)]
    [InlineData("m6g.large", 2, 8192, "arm64", 0.077)]
    public void BuiltIn_KnowsTheFacts(string name, int vcpu, long memoryMiB, string arch, double price)
    {
        var spec = s_catalog.Specs[name];

        Assert.Equal(vcpu, spec.VCpu);
        Assert.Equal(memoryMiB, spec.MemoryMiB);
        Assert.Equal(arch, spec.Architecture);
        Assert.Equal(price, spec.OnDemandPricePerHour, 6);
    }

    [Fact]
    public void InstanceTypes_M5Large_HasKarpentersAllocatable()
    {
        var m5 = s_catalog.InstanceTypes().Single(t => t.Name == "m5.large");

        Assert.Equal(Quantity.Parse("1930m"), m5.Allocatable.Cpu);
        Assert.Equal(Quantity.Parse("6903Mi"), m5.Allocatable.Memory);
        Assert.Equal(Quantity.FromUnits(29), m5.Allocatable.Pods);
    }

    [Fact]
    public void InstanceTypes_KubeletMaxPods_ChangesPodsOnly()
    {
        var m5 = s_catalog.InstanceTypes(new KubeletSettings { MaxPods = 110 }).Single(t => t.Name == "m5.large");

        Assert.Equal(Quantity.FromUnits(110), m5.Allocatable.Pods);
        Assert.Equal(Quantity.Parse("6903Mi"), m5.Allocatable.Memory);
    }

    [Fact]
    public void InstanceTypes_RetiredTypes_AreLeftOut()
    {
        var names = s_catalog.InstanceTypes().Select(t => t.Name).ToHashSet();

        Assert.DoesNotContain("p3.2xlarge", names);
        Assert.Equal(1345, names.Count);
    }

    [Fact]
    public void P3_HasOneNvidiaGpu()
    {
        var spec = s_catalog.Specs["p3.2xlarge"];

        Assert.Equal(1, spec.GpuCount);
        Assert.Equal("NVIDIA", spec.GpuManufacturer);
    }

    [Fact]
    public void Offerings_OnDemandInEveryZone_SpotEstimatedWithinRange()
    {
        var offerings = s_catalog.OfferingsByType["m5.large"];

        Assert.Equal(s_catalog.Specs["m5.large"].Zones.Count, offerings.Count(o => o.CapacityType == Labels.CapacityTypeOnDemand));
        Assert.All(offerings.Where(o => o.CapacityType == Labels.CapacityTypeSpot), o =>
        {
            Assert.True(o.PriceIsEstimate);
            Assert.InRange(o.PricePerHour / 0.096, 0.349, 0.501);
        });
    }

    [Fact]
    public void SpotFraction_IsDeterministicAndSpread()
    {
        var fractions = s_catalog.Specs.Keys.Select(name => InstanceCatalog.SpotFraction(name, "us-east-1a")).ToList();

        Assert.Equal(InstanceCatalog.SpotFraction("m5.large", "us-east-1a"), InstanceCatalog.SpotFraction("m5.large", "us-east-1a"));
        Assert.All(fractions, f => Assert.InRange(f, 0.35, 0.50));
        Assert.True(fractions.Distinct().Count() > 100);
    }

    [Fact]
    public void NoSpotSupport_MeansNoSpotOffering()
    {
        var noSpot = s_catalog.Specs.Values.First(s => !s.SpotSupported && s.Zones.Count > 0);

        Assert.DoesNotContain(s_catalog.OfferingsByType[noSpot.Name], o => o.CapacityType == Labels.CapacityTypeSpot);
    }

    [Theory]
    [InlineData("not json", "not an instance-type catalog: a value is not what the catalog format expects (line 1)")]
    [InlineData("[{\"name\": \"x.large\",\n \"vcpu\": \"four\"}]", "not an instance-type catalog: a value is not what the catalog format expects (line 2, at $[0].vcpu)")]
    [InlineData("[]", "lists no instance types")]
    [InlineData("[{\"name\": \"x.large\", \"vcpu\": 0, \"memoryMiB\": 1}]", "lacks a name, vcpu or memory")]
    public void Load_BadFile_SaysWhyAndWhere(string json, string expected)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var ex = Assert.Throws<InvalidDataException>(() => InstanceCatalog.Load(stream, "my-catalog.json"));

        Assert.Contains("my-catalog.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", ex.Message, StringComparison.Ordinal);
    }
}
