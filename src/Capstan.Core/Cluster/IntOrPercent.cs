using System.Globalization;

namespace Capstan.Core.Cluster;

/// <summary>A count or a percentage, as in a PodDisruptionBudget's <c>minAvailable</c> and <c>maxUnavailable</c> (<c>2</c>, <c>"50%"</c>).</summary>
public readonly record struct IntOrPercent(int Value, bool IsPercent)
{
    /// <summary>Reads <c>3</c> or <c>30%</c>.</summary>
    public static IntOrPercent Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var percent = text.EndsWith('%');
        var digits = percent ? text[..^1] : text;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is neither a count nor a percentage");
        }

        return new IntOrPercent(value, percent);
    }

    /// <summary>The count this means out of <paramref name="total"/> (percentages round up, as the disruption controller does).</summary>
    public int Of(int total) => IsPercent ? (int)Math.Ceiling(Value * total / 100.0) : Value;

    public override string ToString() => IsPercent ? $"{Value.ToString(CultureInfo.InvariantCulture)}%" : Value.ToString(CultureInfo.InvariantCulture);
}
