using Capstan.Core.Text;

namespace Capstan.Core.Tests.Text;

/// <summary>Go-style durations: the forms scenarios use, what is refused, and the text written back.</summary>
public sealed class GoDurationTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("2h45m10s250ms", 9_910_250)]
    [InlineData("1500us", 1.5)]
    [InlineData("1000000ns", 1)]
    public void TryParse_GoForms_AreRead(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("-5s")]
    [InlineData("5 s")]
    [InlineData("s")]
    [InlineData(".5s")]
    [InlineData("5.s")]
    [InlineData("5d")]
    [InlineData("1m30")]
    [InlineData("99999999999h")]
    public void TryParse_OtherText_IsRefused(string? text) =>
        Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(5_430_500, "1h30m30.5s")]
    public void Format_WritesTheShortForm(double milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
