using System.Globalization;
using System.Text.RegularExpressions;

namespace Capstan.Webhook.Validation;

/// <summary>Go's <c>time.ParseDuration</c> syntax, as <c>metav1.Duration</c> fields carry it: <c>30s</c>, <c>1m30s</c>, <c>1.5h</c>.</summary>
public static partial class GoDuration
{
    [GeneratedRegex("^[-+]?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();

    [GeneratedRegex("([0-9]*\\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || !Syntax().IsMatch(text))
        {
            return false;
        }

        var ticks = 0d;
        foreach (Match m in Part().Matches(text))
        {
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += value * m.Groups[2].Value switch
            {
                "ns" => TimeSpan.TicksPerMicrosecond / 1000d,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }

        duration = TimeSpan.FromTicks((long)(text.StartsWith('-') ? -ticks : ticks));
        return true;
    }
}
