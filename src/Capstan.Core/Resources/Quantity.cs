using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace Capstan.Core.Resources;

/// <summary>How a quantity spells itself: the suffix family it was written with, which its canonical text keeps.</summary>
public enum QuantityFormat : byte
{
    /// <summary>Decimal SI suffixes: <c>n u m "" k M G T P E</c> (<c>1500m</c>, <c>12M</c>).</summary>
    DecimalSI,

    /// <summary>Binary SI suffixes: <c>Ki Mi Gi Ti Pi Ei</c> (<c>1536Mi</c>).</summary>
    BinarySI,

    /// <summary>A decimal exponent: <c>12e6</c>.</summary>
    DecimalExponent,
}

/// <summary>
/// A Kubernetes resource quantity, exact to the nano-unit like the API server's own: <c>100m</c>, <c>1.5Gi</c>,
/// <c>10000000Gi</c>, <c>5e-3</c>. Values are held as a whole number of nano-units; the rare value beyond that range
/// (<c>1e40</c>) is held as a decimal mantissa and exponent instead, so nothing the API server accepts overflows.
/// </summary>
/// <remarks>
/// Parsing follows <c>k8s.io/apimachinery/pkg/api/resource</c> (ParseQuantity): an optional sign, a decimal number
/// (<c>5</c>, <c>5.</c>, <c>.5</c>), then a binary suffix, a decimal suffix or a decimal exponent. Precision finer
/// than a nano-unit is rounded up (away from zero). Binary quantities are capped at 2^63-1; decimal ones are not.
/// Surrounding white space is ignored, as the API server's JSON decoding ignores it. <see cref="ToString()"/> gives the
/// canonical text Kubernetes stores. Two quantities are equal when their values are, whatever their format.
/// </remarks>
public readonly struct Quantity : IEquatable<Quantity>, IComparable<Quantity>, IComparable
{
    private const long NanosPerUnit = 1_000_000_000;
    private const long NanosPerMilli = 1_000_000;

    /// <summary>Exponent gap beyond which sums of huge quantities stop being exact (the smaller term is dropped).</summary>
    private const int MaxExactGap = 4096;

    private static readonly Int128 s_int64Max = long.MaxValue;
    private static readonly BigInteger s_bigNanosMax = (BigInteger)Int128.MaxValue;
    private static readonly BigInteger s_bigNanosMin = (BigInteger)Int128.MinValue;

    private readonly Int128 _nanos;
    private readonly Huge? _huge;

    private Quantity(Int128 nanos, QuantityFormat format)
    {
        _nanos = nanos;
        _huge = null;
        Format = format;
    }

    private Quantity(Huge huge, QuantityFormat format)
    {
        _nanos = 0;
        _huge = huge;
        Format = format;
    }

    public static readonly Quantity Zero;

    /// <summary>The suffix family this quantity prints with.</summary>
    public QuantityFormat Format { get; }

    /// <summary>The value in thousandths, rounded up; saturates at the ends of <see cref="long"/>.</summary>
    public long MilliValue => Scaled(NanosPerMilli);

    /// <summary>The value rounded up to a whole unit (cores, bytes, pods); saturates at the ends of <see cref="long"/>.</summary>
    public long Value => Scaled(NanosPerUnit);

    public bool IsZero => _huge is null && _nanos == 0;

    /// <summary>-1, 0 or 1.</summary>
    public int Sign => _huge is { } h ? h.Mantissa.Sign : _nanos.CompareTo(Int128.Zero);

    public static Quantity FromMilli(long milli) => new((Int128)milli * NanosPerMilli, QuantityFormat.DecimalSI);

    public static Quantity FromUnits(long units) => new((Int128)units * NanosPerUnit, QuantityFormat.DecimalSI);

    /// <summary>A byte quantity (formatted with binary suffixes) of this many bytes.</summary>
    public static Quantity FromBytes(long bytes) => new((Int128)bytes * NanosPerUnit, QuantityFormat.BinarySI);

    public static Quantity FromMebibytes(long mebibytes) => new((Int128)mebibytes * (1024 * 1024) * NanosPerUnit, QuantityFormat.BinarySI);

    /// <summary>The same value printed with another suffix family.</summary>
    public Quantity WithFormat(QuantityFormat format) => _huge is { } h ? new(h, format) : new(_nanos, format);

    // Arithmetic keeps the left operand's format unless it is zero, as apimachinery's Add and Sub do.
    public static Quantity operator +(Quantity left, Quantity right) =>
        Combine(left, right, negateRight: false, left.IsZero ? right.Format : left.Format);

    public static Quantity operator -(Quantity left, Quantity right) =>
        Combine(left, right, negateRight: true, left.IsZero ? right.Format : left.Format);

    public static Quantity operator -(Quantity value) =>
        value._huge is { } h ? FromDecimal(-h.Mantissa, h.Exponent, value.Format) : FromNanos(-(BigInteger)value._nanos, value.Format);

    public static Quantity operator *(Quantity left, long factor)
    {
        if (left._huge is null)
        {
            var product = (BigInteger)left._nanos * factor;
            return FromNanos(product, left.Format);
        }

        return FromDecimal(left._huge.Mantissa * factor, left._huge.Exponent, left.Format);
    }

    public static bool operator ==(Quantity left, Quantity right) => left.Equals(right);

    public static bool operator !=(Quantity left, Quantity right) => !left.Equals(right);

    public static bool operator <(Quantity left, Quantity right) => left.CompareTo(right) < 0;

    public static bool operator >(Quantity left, Quantity right) => left.CompareTo(right) > 0;

    public static bool operator <=(Quantity left, Quantity right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Quantity left, Quantity right) => left.CompareTo(right) >= 0;

    public static Quantity Max(Quantity left, Quantity right) => left >= right ? left : right;

    public static Quantity Min(Quantity left, Quantity right) => left <= right ? left : right;

    public int CompareTo(Quantity other)
    {
        if (_huge is null && other._huge is null)
        {
            return _nanos.CompareTo(other._nanos);
        }

        var (m1, e1) = Decimal();
        var (m2, e2) = other.Decimal();
        if (m1.Sign != m2.Sign)
        {
            return m1.Sign.CompareTo(m2.Sign);
        }

        if (m1.Sign == 0)
        {
            return 0;
        }

        // Same sign: compare magnitudes by their number of digits first, so far-apart exponents are never expanded.
        var magnitude1 = Digits(m1) + (long)e1;
        var magnitude2 = Digits(m2) + (long)e2;
        if (magnitude1 != magnitude2)
        {
            return magnitude1 > magnitude2 ? m1.Sign : -m1.Sign;
        }

        var e = Math.Min(e1, e2);
        return (m1 * BigInteger.Pow(10, e1 - e)).CompareTo(m2 * BigInteger.Pow(10, e2 - e));
    }

    public int CompareTo(object? obj) => obj is Quantity other ? CompareTo(other) : throw new ArgumentException("not a quantity", nameof(obj));

    public bool Equals(Quantity other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is Quantity other && Equals(other);

    public override int GetHashCode() => _huge is { } h ? HashCode.Combine(h.Mantissa, h.Exponent) : _nanos.GetHashCode();

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
        var s = (text ?? "").Trim();
        if (s.Length == 0)
        {
            error = "quantity is empty";
            return false;
        }

        if (!Scan(s, out var scan))
        {
            error = "expected a number such as 2, 1.5 or .5, then at most a suffix such as m, Gi or e3, with no spaces";
            return false;
        }

        if (!Interpret(scan.Suffix, out var binary, out var exponent, out var format))
        {
            error = $"unknown suffix '{scan.Suffix}': use one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3";
            return false;
        }

        if (!scan.HasDigits && !ShortWithoutDigits(binary, exponent))
        {
            // apimachinery reads short digit-less values ("Gi", "m") as zero but refuses the ones it parses the slow way.
            error = "the number has no digits";
            return false;
        }

        var mantissa = BigInteger.Parse(scan.Digits, NumberStyles.None, CultureInfo.InvariantCulture);
        BigInteger magnitude;
        int scale;
        if (binary)
        {
            // value = digits * 2^exponent / 10^len(denominator)
            magnitude = mantissa << exponent;
            scale = -scan.FractionDigits;
        }
        else
        {
            magnitude = mantissa;
            scale = (int)Math.Clamp((long)exponent - scan.FractionDigits, int.MinValue, int.MaxValue);
        }

        // Round up (away from zero) to a whole nano-unit.
        if (scale < -9 && !magnitude.IsZero)
        {
            var drop = (long)-9 - scale;
            if (drop > Digits(magnitude))
            {
                magnitude = BigInteger.One;
            }
            else
            {
                var divisor = BigInteger.Pow(10, (int)drop);
                var quotient = BigInteger.DivRem(magnitude, divisor, out var remainder);
                magnitude = remainder.IsZero ? quotient : quotient + 1;
            }

            scale = -9;
        }

        var value = FromDecimal(magnitude, scale, format);
        if (binary)
        {
            if (value > FromUnits(long.MaxValue))
            {
                value = FromUnits(long.MaxValue);
            }

            if (!value.IsZero && value < FromUnits(1))
            {
                format = QuantityFormat.DecimalSI;
            }

            value = value.WithFormat(format);
        }

        quantity = scan.Negative ? -value : value;
        error = null;
        return true;
    }

    /// <summary>The canonical text Kubernetes stores for this quantity in its own format: <c>1536Mi</c>, <c>1500m</c>, <c>5e-3</c>.</summary>
    public override string ToString() => ToString(Format);

    /// <summary>The canonical text in the given format.</summary>
    public string ToString(QuantityFormat format)
    {
        if (IsZero)
        {
            return "0";
        }

        if (format == QuantityFormat.BinarySI)
        {
            if (this > FromUnits(-1024) && this < FromUnits(1024))
            {
                format = QuantityFormat.DecimalSI;
            }
            else
            {
                var (m, e) = Decimal();
                if (e >= 0)
                {
                    var units = m * BigInteger.Pow(10, e);
                    var power = 0;
                    while (power < 6 && (units % 1024).IsZero)
                    {
                        units /= 1024;
                        power++;
                    }

                    if (power < 6 || !(units % 1024).IsZero)
                    {
                        return units.ToString(CultureInfo.InvariantCulture) + BinarySuffix(power);
                    }

                    // Beyond Ei there is no binary suffix; the decimal exponent form keeps the value.
                    format = QuantityFormat.DecimalExponent;
                }
                else
                {
                    // A fraction of a unit would be lost: print it decimally instead.
                    format = QuantityFormat.DecimalSI;
                }
            }
        }

        var (mantissa, exponent) = Decimal();
        var floor = exponent >= 0 ? exponent - (exponent % 3) : exponent - ((exponent % 3) + 3) % 3;
        var text = (mantissa * BigInteger.Pow(10, exponent - floor)).ToString(CultureInfo.InvariantCulture);
        if (format == QuantityFormat.DecimalSI && DecimalSuffix(floor) is { } suffix)
        {
            return text + suffix;
        }

        // Decimal SI has no suffix past E (10^18); like apimachinery since kubernetes#140459, use the exponent form.
        return floor == 0 ? text : text + "e" + floor.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Canonical binary text for byte quantities: <c>12Gi</c>, <c>1536Mi</c>, <c>1953125Ki</c>.</summary>
    public string ToBinaryString() => ToString(QuantityFormat.BinarySI);

    /// <summary>Canonical decimal text: <c>1500m</c>, <c>2</c>, <c>12k</c>.</summary>
    public string ToDecimalString() => ToString(QuantityFormat.DecimalSI);

    /// <summary>
    /// Bytes as a person reads them: whole multiples of a binary unit print as such (<c>12Gi</c>), anything else
    /// with one decimal in the largest unit it reaches (<c>13.0Gi</c>, <c>1.5Mi</c>); under 1Ki, plain bytes.
    /// </summary>
    public string ToReadableBytes()
    {
        if (_huge is not null || this >= FromUnits(long.MaxValue) || this <= FromUnits(-long.MaxValue))
        {
            return ToBinaryString();
        }

        var bytes = (decimal)_nanos / NanosPerUnit;
        var magnitude = Math.Abs(bytes);
        if (magnitude < 1024)
        {
            return ToDecimalString();
        }

        var power = 0;
        var unit = 1m;
        while (power < 6 && magnitude >= unit * 1024)
        {
            unit *= 1024;
            power++;
        }

        var scaled = bytes / unit;
        return scaled == decimal.Truncate(scaled)
            ? scaled.ToString("0", CultureInfo.InvariantCulture) + BinarySuffix(power)
            : scaled.ToString("0.0", CultureInfo.InvariantCulture) + BinarySuffix(power);
    }

    /// <summary>The exact value in units as a <see cref="decimal"/>, when one holds it.</summary>
    public bool TryToDecimal(out decimal value)
    {
        value = 0;
        var (mantissa, exponent) = Decimal();
        if (mantissa.IsZero)
        {
            return true;
        }

        if (exponent > 28 || Digits(mantissa) + (long)exponent > 29 || exponent < -28)
        {
            return false;
        }

        try
        {
            value = exponent >= 0
                ? (decimal)(mantissa * BigInteger.Pow(10, exponent))
                : (decimal)mantissa / Pow10(-exponent);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>The value in units as the nearest <see cref="double"/> (for metrics); infinite past its range.</summary>
    public double ToDouble()
    {
        if (TryToDecimal(out var exact))
        {
            return (double)exact;
        }

        var (mantissa, exponent) = Decimal();
        return double.Parse(mantissa.ToString(CultureInfo.InvariantCulture) + "E" + exponent.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var k = 0; k < exponent; k++)
        {
            result *= 10;
        }

        return result;
    }

    private long Scaled(long nanosPerStep)
    {
        if (_huge is { } h)
        {
            return h.Mantissa.Sign > 0 ? long.MaxValue : long.MinValue;
        }

        var quotient = Int128.DivRem(_nanos, nanosPerStep);
        var ceiling = quotient.Remainder > 0 ? quotient.Quotient + 1 : quotient.Quotient;
        return ceiling > s_int64Max ? long.MaxValue : ceiling < long.MinValue ? long.MinValue : (long)ceiling;
    }

    /// <summary>The value as mantissa * 10^exponent (units), the mantissa free of trailing zeros.</summary>
    private (BigInteger Mantissa, int Exponent) Decimal()
    {
        if (_huge is { } h)
        {
            return (h.Mantissa, h.Exponent);
        }

        var mantissa = (BigInteger)_nanos;
        var exponent = -9;
        if (mantissa.IsZero)
        {
            return (mantissa, 0);
        }

        while ((mantissa % 10).IsZero)
        {
            mantissa /= 10;
            exponent++;
        }

        return (mantissa, exponent);
    }

    private static Quantity FromNanos(BigInteger nanos, QuantityFormat format) =>
        nanos >= s_bigNanosMin && nanos <= s_bigNanosMax ? new((Int128)nanos, format) : FromDecimal(nanos, -9, format);

    /// <summary>mantissa * 10^exponent units, exponent at least -9 (whole nano-units).</summary>
    private static Quantity FromDecimal(BigInteger mantissa, int exponent, QuantityFormat format)
    {
        if (mantissa.IsZero)
        {
            return new(Int128.Zero, format);
        }

        while ((mantissa % 10).IsZero)
        {
            mantissa /= 10;
            exponent++;
        }

        // Fits the nano-unit form? 10^38 is past Int128, so a larger gap never fits.
        var shift = (long)exponent + 9;
        if (shift <= 38 && Digits(mantissa) + shift <= 39)
        {
            var nanos = mantissa * BigInteger.Pow(10, (int)shift);
            if (nanos >= s_bigNanosMin && nanos <= s_bigNanosMax)
            {
                return new((Int128)nanos, format);
            }
        }

        return new(new Huge(mantissa, exponent), format);
    }

    private static Quantity Combine(Quantity left, Quantity right, bool negateRight, QuantityFormat format)
    {
        if (left._huge is null && right._huge is null)
        {
            var a = left._nanos;
            var b = negateRight ? -right._nanos : right._nanos;
            var sum = unchecked(a + b);
            var overflow = (negateRight && right._nanos == Int128.MinValue) || (Int128.IsNegative(a) == Int128.IsNegative(b) && Int128.IsNegative(sum) != Int128.IsNegative(a));
            return overflow
                ? FromNanos(negateRight ? (BigInteger)left._nanos - right._nanos : (BigInteger)left._nanos + right._nanos, format)
                : new(sum, format);
        }

        var (m1, e1) = left.Decimal();
        var (m2, e2) = right.Decimal();
        if (negateRight)
        {
            m2 = -m2;
        }

        if (m1.IsZero)
        {
            return FromDecimal(m2, e2, format);
        }

        if (m2.IsZero)
        {
            return FromDecimal(m1, e1, format);
        }

        // Terms whose magnitudes lie thousands of digits apart: the smaller one cannot matter to any resource.
        var gap = (Digits(m1) + (long)e1) - (Digits(m2) + (long)e2);
        if (gap > MaxExactGap)
        {
            return FromDecimal(m1, e1, format);
        }

        if (gap < -MaxExactGap)
        {
            return FromDecimal(m2, e2, format);
        }

        var e = Math.Min(e1, e2);
        return FromDecimal((m1 * BigInteger.Pow(10, e1 - e)) + (m2 * BigInteger.Pow(10, e2 - e)), e, format);
    }

    private static long Digits(BigInteger value) =>
        value.IsZero ? 1 : BigInteger.Abs(value).ToString(CultureInfo.InvariantCulture).Length;

    private static string BinarySuffix(int power) => power switch
    {
        0 => "",
        1 => "Ki",
        2 => "Mi",
        3 => "Gi",
        4 => "Ti",
        5 => "Pi",
        _ => "Ei",
    };

    private static string? DecimalSuffix(int exponent) => exponent switch
    {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => null,
    };

    private readonly record struct Scanned(bool Negative, string Digits, int FractionDigits, bool HasDigits, string Suffix);

    /// <summary>Splits sign, number and suffix the way apimachinery's scanner does; false when the text is malformed.</summary>
    private static bool Scan(string s, out Scanned scanned)
    {
        scanned = default;
        var i = 0;
        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i++;
        }

        var integerStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        var integer = s[integerStart..i];
        var fraction = "";
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var fractionStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            fraction = s[fractionStart..i];
        }

        // The suffix: letters from "eEinumkKMGTP", then an optional sign, then digits to the end.
        var suffixStart = i;
        while (i < s.Length && "eEinumkKMGTP".Contains(s[i], StringComparison.Ordinal))
        {
            i++;
        }

        if (i < s.Length && s[i] is '+' or '-')
        {
            i++;
        }

        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i < s.Length)
        {
            return false;
        }

        var digits = (integer + fraction).TrimStart('0');
        scanned = new Scanned(negative, digits.Length == 0 ? "0" : digits, fraction.Length, integer.Length + fraction.Length > 0, s[suffixStart..]);
        return true;
    }

    private static bool Interpret(string suffix, out bool binary, out int exponent, out QuantityFormat format)
    {
        binary = false;
        format = QuantityFormat.DecimalSI;
        exponent = suffix switch
        {
            "n" => -9,
            "u" => -6,
            "m" => -3,
            "" => 0,
            "k" => 3,
            "M" => 6,
            "G" => 9,
            "T" => 12,
            "P" => 15,
            "E" => 18,
            _ => int.MinValue,
        };
        if (exponent != int.MinValue)
        {
            return true;
        }

        exponent = suffix switch
        {
            "Ki" => 10,
            "Mi" => 20,
            "Gi" => 30,
            "Ti" => 40,
            "Pi" => 50,
            "Ei" => 60,
            _ => int.MinValue,
        };
        if (exponent != int.MinValue)
        {
            binary = true;
            format = QuantityFormat.BinarySI;
            return true;
        }

        // An exponent: e or E, then a signed whole number. Exponents past the int32 range are refused, as apimachinery
        // does since kubernetes#141203 (before it, they wrapped around).
        format = QuantityFormat.DecimalExponent;
        return suffix.Length > 1 && suffix[0] is 'e' or 'E'
            && int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent);
    }

    /// <summary>
    /// Whether apimachinery's int64 fast path takes a value with no digits (read as zero). It does for every decimal
    /// suffix and exponent down to e-9, and for the binary suffixes up to Ti; Pi and Ei go the slow way, which needs digits.
    /// </summary>
    private static bool ShortWithoutDigits(bool binary, int exponent) =>
        binary ? 15 - 1 - (int)((float)exponent * 3 / 10) - 1 >= 0 : exponent >= -9;

    private sealed record Huge(BigInteger Mantissa, int Exponent);
}
