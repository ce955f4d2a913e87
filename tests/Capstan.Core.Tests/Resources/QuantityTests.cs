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
    [InlineData("Gi")]
    [InlineData("1.5.2")]
    [InlineData("99999999999999Ei")]
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
    [InlineData("1000", "1000")]
    [InlineData("2G", "1953125Ki")]
    public void ToBinaryString_PicksLargestExactSuffix(string text, string expected)
    {
        Assert.Equal(expected, Quantity.Parse(text).ToBinaryString());
    }
}
