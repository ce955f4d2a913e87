using System.Globalization;

namespace Capstan.Core.Text;

/// <summary>
/// Durations written as Go and Kubernetes write them (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>,
/// <c>1m30s</c>, <c>1.5h</c>), as scenario files, cluster-autoscaler tags and Provisioner fields write them.
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, long Ticks)[] s_units =
    [
        ("ns", 0), ("us", 10), ("µs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>
    /// Reads one or more number-and-unit parts (units ns, us, µs, ms, s, m, h) or a bare <c>0</c>. Negative
    /// durations are refused: nothing in a scenario waits for less than nothing.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        decimal ticks = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (!decimal.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                || text[start] == '.' || text[i - 1] == '.')
            {
                return false;
            }

            var unit = Unit(text, i);
            if (unit is not var (name, unitTicks))
            {
                return false;
            }

            i += name.Length;
            ticks += name == "ns" ? number / 100 : number * unitTicks;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>The duration in the same form, largest units first (<c>1m30s</c>, <c>500ms</c>, <c>0s</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = "";
        var sign = value < TimeSpan.Zero ? "-" : "";
        value = value.Duration();
        if (value.TotalHours >= 1)
        {
            text += $"{(long)value.TotalHours}h";
        }

        if (value.Minutes > 0)
        {
            text += $"{value.Minutes}m";
        }

        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (decimal)TimeSpan.TicksPerSecond);
        if (seconds > 0)
        {
            text += text.Length == 0 && seconds < 1
                ? $"{(seconds * 1000).ToString("0.####", CultureInfo.InvariantCulture)}ms"
                : $"{seconds.ToString("0.#######", CultureInfo.InvariantCulture)}s";
        }

        return sign + text;
    }

    private static (string Name, long Ticks)? Unit(string text, int at)
    {
        // The two-letter units first, so that "ms" is not read as "m" followed by "s".
        foreach (var (name, ticks) in s_units.OrderByDescending(u => u.Unit.Length))
        {
            if (string.CompareOrdinal(text, at, name, 0, name.Length) == 0)
            {
                return (name, ticks);
            }
        }

        return null;
    }
}
