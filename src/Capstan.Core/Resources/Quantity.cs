using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Capstan.Core.Resources;

/// <summary>
/// A Kubernetes resource quantity held as a whole number of thousandths ("milli" units), so
/// arithmetic never drifts: <c>100m</c> is 100, <c>1</c> is 1000, <c>1Gi</c> is 1024^3 * 1000.
/// </summary>
/// <remarks>
/// Parsing follows <c>k8s.io/apimachinery/pkg/api/resource</c>: an optional sign, a decimal number,
/// then either a binary suffix (Ki..Ei), a decimal suffix (n, u, m, "", k, M, G, T, P, E) or an
/// exponent (<c>e3</c>, <c>E-2</c>). Precision finer than a milli-unit is rounded up, as the API
/// server does for the values it stores.
/// </remarks>
public readonly record struct Quantity(long MilliValue) : IComparable<Quantity>
{
    private const long MaxMilli = long.MaxValue / 4;

    public static readonly Quantity Zero = new(0);

    /// <summary>The value rounded up to a whole unit (cores, bytes, pods).</summary>
    public long Value => MilliValue >= 0 ? (MilliValue + 999) / 1000 : MilliValue / 1000;

    public bool IsZero => MilliValue == 0;

    public static Quantity FromMilli(long milli) => new(milli);

    public static Quantity FromUnits(long units) => new(checked(units * 1000));

    public static Quantity FromMebibytes(long mebibytes) => FromUnits(checked(mebibytes * 1024 * 1024));

    public static Quantity operator +(Quantity left, Quantity right) => new(checked(left.MilliValue + right.MilliValue));

    public static Quantity operator -(Quantity left, Quantity right) => new(checked(left.MilliValue - right.MilliValue));

    public static Quantity operator *(Quantity left, long factor) => new(checked(left.MilliValue * factor));

    public static bool operator <(Quantity left, Quantity right) => left.MilliValue < right.MilliValue;

    public static bool operator >(Quantity left, Quantity right) => left.MilliValue > right.MilliValue;

    public static bool operator <=(Quantity left, Quantity right) => left.MilliValue <= right.MilliValue;

    public static bool operator >=(Quantity left, Quantity right) => left.MilliValue >= right.MilliValue;

    public static Quantity Max(Quantity left, Quantity right) => left.MilliValue >= right.MilliValue ? left : right;

    public static Quantity Min(Quantity left, Quantity right) => left.MilliValue <= right.MilliValue ? left : right;

    public int CompareTo(Quantity other) => MilliValue.CompareTo(other.MilliValue);

    /// <summary>Parses a quantity, throwing <see cref="FormatException"/> with the reason when it is not one.</summary>
    public static Quantity Parse(string text)
    {
        if (TryParse(text, out var quantity, out var error))
        {
            return quantity;
        }

        throw new FormatException(error);
    }

    public static bool TryParse(string? text, out Quantity quantity) => TryParse(text, out quantity, out _);

    public static bool TryParse(string? text, out Quantity quantity, [NotNullWhen(false)] out string? error)
    {
        quantity = Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "quantity is empty";
            return false;
        }

        var s = text.Trim();
        var i = 0;
        var negative = false;
        if (s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        var numberStart = i;
        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            digits++;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            error = $"quantity '{text}' does not start with a number";
            return false;
        }

        if (!decimal.TryParse(s.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"quantity '{text}' has too many digits";
            return false;
        }

        var suffix = s.AsSpan(i);
        decimal multiplier;
        if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && IsExponent(suffix[1..]))
        {
            if (!int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) || exponent is > 20 or < -20)
            {
                error = $"quantity '{text}' has an exponent out of range";
                return false;
            }

            multiplier = Pow10(exponent);
        }
        else if (!TryMultiplier(suffix, out multiplier))
        {
            error = $"quantity '{text}' has an unknown suffix '{suffix.ToString()}'";
            return false;
        }

        decimal milli;
        try
        {
            milli = decimal.Ceiling(number * multiplier * 1000m);
        }
        catch (OverflowException)
        {
            error = $"quantity '{text}' is too large";
            return false;
        }

        if (milli > MaxMilli)
        {
            error = $"quantity '{text}' is too large";
            return false;
        }

        quantity = new Quantity(negative ? -(long)milli : (long)milli);
        error = null;
        return true;
    }

    private static bool IsExponent(ReadOnlySpan<char> rest)
    {
        if (rest.Length > 0 && rest[0] is '+' or '-')
        {
            rest = rest[1..];
        }

        if (rest.IsEmpty)
        {
            return false;
        }

        foreach (var c in rest)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var k = 0; k < Math.Abs(exponent); k++)
        {
            result *= 10m;
        }

        return exponent >= 0 ? result : 1m / result;
    }

    private static bool TryMultiplier(ReadOnlySpan<char> suffix, out decimal multiplier)
    {
        multiplier = suffix switch
        {
            "" => 1m,
            "n" => 0.000000001m,
            "u" => 0.000001m,
            "m" => 0.001m,
            "k" => 1_000m,
            "M" => 1_000_000m,
            "G" => 1_000_000_000m,
            "T" => 1_000_000_000_000m,
            "P" => 1_000_000_000_000_000m,
            "E" => 1_000_000_000_000_000_000m,
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            "Ti" => 1024m * 1024 * 1024 * 1024,
            "Pi" => 1024m * 1024 * 1024 * 1024 * 1024,
            "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
            _ => -1m,
        };
        return multiplier >= 0;
    }

    /// <summary>Decimal form: <c>1500m</c>, <c>2</c>, <c>12</c>.</summary>
    public override string ToString() =>
        MilliValue % 1000 == 0
            ? (MilliValue / 1000).ToString(CultureInfo.InvariantCulture)
            : MilliValue.ToString(CultureInfo.InvariantCulture) + "m";

    /// <summary>Binary form for byte quantities: <c>12Gi</c>, <c>1536Mi</c>, <c>100</c>.</summary>
    public string ToBinaryString()
    {
        if (MilliValue % 1000 != 0 || MilliValue == 0)
        {
            return ToString();
        }

        var bytes = MilliValue / 1000;
        ReadOnlySpan<string> suffixes = ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"];
        for (var k = 0; k < suffixes.Length; k++)
        {
            var unit = 1L << (10 * (suffixes.Length - k));
            if (bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffixes[k];
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
