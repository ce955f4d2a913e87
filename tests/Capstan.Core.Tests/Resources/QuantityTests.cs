using Capstan.Core.Resources;

namespace Capstan.Core.Tests.Resources;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("100m", 100)]
    [InlineData("1", 1000)]
    [InlineData("0.5", 500)]
    [InlineData("1.5", 1500)]
    [InlineData("1e3", 1_000_000)]
    [InlineData("1E-3", 1)]
    [InlineData("2k", 2_000_000)]
    [InlineData("2G", 2_000_000_000_000)]
    [InlineData("1Ki", 1_024_000)]
    [InlineData("1.5Gi", 1_610_612_736_000)]
    [InlineData("12Mi", 12L * 1024 * 1024 * 1000)]
    [InlineData("-250m", -250)]
    [InlineData("+3", 3000)]
    [InlineData("1u", 1)]
    [InlineData("500n", 1)]
    public void Parse_KubernetesForms_GivesMilliValue(string text, long milli)
    {
        Assert.Equal(milli, Quantity.Parse(text).MilliValue);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1x")]
    [InlineData("Pi")]
    [InlineData("1K")]
    [InlineData("1 Gi")]
    [InlineData("1e")]
    [InlineData("1e1.5")]
    [InlineData("1e4294967296")]
    [InlineData("1.5.2")]
    public void TryParse_Garbage_FailsWithReason(string text)
    {
        Assert.False(Quantity.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Arithmetic_OnMilliValues_HasNoDrift()
    {
        var sum = Quantity.Zero;
        for (var i = 0; i < 10; i++)
        {
            sum += Quantity.Parse("0.1");
        }

        Assert.Equal(Quantity.Parse("1"), sum);
    }

    [Theory]
    [InlineData("1500m", "1500m")]
    [InlineData("2", "2")]
    [InlineData("0.5", "500m")]
    public void ToString_UsesDecimalForm(string text, string expected)
    {
        Assert.Equal(expected, Quantity.Parse(text).ToString());
    }

    [Theory]
    [InlineData("12Gi", "12Gi")]
    [InlineData("1536Mi", "1536Mi")]
    [InlineData("15Gi", "15Gi")]
    [InlineData("2048", "2Ki")]
    [InlineData("1000", "1k")] // under 1Ki a binary quantity prints decimally, as in Kubernetes
    [InlineData("1.5", "1500m")]
    [InlineData("2G", "1953125Ki")]
    public void ToBinaryString_PicksLargestExactSuffix(string text, string expected)
    {
        Assert.Equal(expected, Quantity.Parse(text).ToBinaryString());
    }

    [Theory]
    [InlineData("10000000Gi", 10_000_000L * 1024 * 1024 * 1024)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("8Ei", long.MaxValue)] // binary quantities are capped at 2^63-1
    [InlineData("99999999999999Ei", long.MaxValue)]
    [InlineData("Gi", 0)] // apimachinery reads a bare short suffix as zero
    public void Parse_LargeAndOddValues_AsKubernetesReadsThem(string text, long units)
    {
        Assert.Equal(units, Quantity.Parse(text).Value);
    }

    [Fact]
    public void Parse_BeyondInt64_KeepsTheExactValue()
    {
        var big = Quantity.Parse("9223372036854775808");
        Assert.True(big > Quantity.FromUnits(long.MaxValue));
        Assert.Equal("9223372036854775808", big.ToString());
        Assert.Equal(long.MaxValue, big.Value);
        // Canonical exponents are multiples of three, as in Kubernetes.
        Assert.Equal("10e39", Quantity.Parse("1e40").ToString());
        Assert.Equal("-10e39", (-Quantity.Parse("1e40")).ToString());
        Assert.Equal("100e1999999998", Quantity.Parse("1e2000000000").ToString());
        Assert.True(Quantity.Parse("1e2000000000") > Quantity.Parse("1e40"));
    }

    [Fact]
    public void Arithmetic_OnHugeValues_DoesNotOverflow()
    {
        var limit = Quantity.Parse("10000000Gi");
        var sum = Quantity.Zero;
        for (var i = 0; i < 1000; i++)
        {
            sum += limit;
        }

        Assert.Equal(limit * 1000, sum);
        Assert.Equal(long.MaxValue, sum.MilliValue); // saturates instead of wrapping
        Assert.True(sum - limit > limit);
        var beyond = Quantity.Parse("1e40") + Quantity.Parse("1");
        Assert.Equal("10000000000000000000000000000000000000001", beyond.ToString());
        Assert.Equal(Quantity.Parse("1"), beyond - Quantity.Parse("1e40"));
    }

    [Theory]
    [InlineData("10000000Gi", 10_000_000d * 1024 * 1024 * 1024)]
    [InlineData("1.5", 1.5)]
    [InlineData("-250m", -0.25)]
    [InlineData("1e40", 1e40)]
    public void ToDouble_GivesTheValueInUnits(string text, double expected)
    {
        Assert.Equal(expected, Quantity.Parse(text).ToDouble());
    }

    [Theory]
    [InlineData("1n", 1)]
    [InlineData("1.5n", 1)]
    [InlineData("-1n", 0)]
    [InlineData("1500u", 2)]
    public void MilliValue_RoundsUp(string text, long milli)
    {
        Assert.Equal(milli, Quantity.Parse(text).MilliValue);
    }

    [Fact]
    public void Equality_IgnoresFormat()
    {
        Assert.Equal(Quantity.Parse("1Ki"), Quantity.Parse("1024"));
        Assert.Equal(Quantity.Parse("1Ki").GetHashCode(), Quantity.Parse("1024").GetHashCode());
        Assert.Equal("1Ki", Quantity.Parse("1Ki").ToString());
        Assert.Equal("1024", Quantity.Parse("1024").ToString());
    }

    [Theory]
    [InlineData("14000000000", "13.0Gi")]
    [InlineData("12Gi", "12Gi")]
    [InlineData("1.5Gi", "1.5Gi")]
    [InlineData("1536Mi", "1.5Gi")]
    [InlineData("100Mi", "100Mi")]
    [InlineData("512", "512")]
    [InlineData("10000000Gi", "9.5Pi")]
    public void ToReadableBytes_UsesTheLargestBinaryUnit(string text, string expected)
    {
        Assert.Equal(expected, Quantity.Parse(text).ToReadableBytes());
    }
}
