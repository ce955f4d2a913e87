using Capstan.Core.Resources;
using k8s.Models;

namespace Capstan.Kubernetes.Tests.Conversions;

/// <summary>
/// Capstan's quantities against Kubernetes: the expected column is what apimachinery's resource.Quantity does
/// (ParseQuantity, then String()), worked out from its rules and its own test tables; KubernetesClient's
/// <see cref="ResourceQuantity"/> must agree with Capstan (accept/refuse, canonical text, value) except in the cases
/// listed in <see cref="s_clientDeviations"/>, where the client itself departs from apimachinery.
/// </summary>
public sealed class QuantityParityTests
{
    /// <summary>Input, then apimachinery's canonical text (null: refused).</summary>
    public static TheoryData<string, string?> Corpus => new()
    {
        { "0", "0" },
        { "1m", "1m" },
        { "100m", "100m" },
        { "1000m", "1" },
        { "0.5", "500m" },
        { "1.5", "1500m" },
        { "1.0", "1" },
        { "1.5Gi", "1536Mi" },
        { "1Gi", "1Gi" },
        { "1024Mi", "1Gi" },
        { "0.5Mi", "512Ki" },
        { "10000000Gi", "10000000Gi" },
        { "1Pi", "1Pi" },
        { "1Ei", "1Ei" },
        { "7Ei", "7Ei" },
        { "1Ki", "1Ki" },
        { "1k", "1k" },
        { "50k", "50k" },
        { "2G", "2G" },
        { "12E", "12E" },
        { "10E", "10E" },
        { "1e3", "1e3" },
        { "1E3", "1e3" },
        { "1e+3", "1e3" },
        { "1.2e3", "1200" },
        { "1.3E+6", "1300e3" },
        { "5e-3", "5e-3" },
        { "1e-9", "1e-9" },
        { "-1", "-1" },
        { "+1", "1" },
        { "-250m", "-250m" },
        { "-1.5Gi", "-1536Mi" },
        { ".5", "500m" },
        { "5.", "5" },
        { "007", "7" },
        { "-0", "0" },
        { "0Gi", "0" },
        { "100.035k", "100035" },
        { "0.0005k", "500m" },
        { "1.01E", "1010P" },
        { "100.035Ki", "102435840m" }, // a binary value with a fraction prints decimally
        { "1n", "1n" },
        { "-1n", "-1n" },

        // Finer than a nano-unit rounds up, away from zero.
        { "0.1n", "1n" },
        { "-0.1n", "-1n" },
        { "3.001n", "4n" },
        { "1.1E-9", "2e-9" },
        { "1.5e-10", "1e-9" },
        { "0.000000000001Ki", "2n" }, // under one unit a binary quantity turns decimal

        // The int64 edge: decimal values past it are kept exactly, binary ones are capped at 2^63-1.
        { "9223372036854775807", "9223372036854775807" },
        { "9223372036854775808", "9223372036854775808" },
        { "18446744073709551616", "18446744073709551616" },
        { "8Ei", "9223372036854775807" },
        { "9Ei", "9223372036854775807" },
        { "1024Ei", "9223372036854775807" },
        { "9223372036854775807Ki", "9223372036854775807" },
        { "123456789012345678901234567890", "123456789012345678901234567890" },
        { "1e21", "1e21" },
        { "1e40", "10e39" },
        { "1000E", "1e21" }, // past E a decimal SI value takes the exponent form (kubernetes#140459)

        // Odd but accepted by ParseQuantity: no digits before a suffix its int64 fast path takes reads as zero.
        { "Gi", "0" },
        { "m", "0" },
        { ".", "0" },
        { "-", "0" },

        // Refused.
        { "1K", null },
        { "1 Gi", null },
        { "banana", null },
        { "", null },
        { "1e", null },
        { "1e1.5", null },
        { "1.1.M", null },
        { "1+1.0M", null },
        { "0.1mi", null },
        { "1i", null },
        { ".5i", null },
        { "1x", null },
        { "Ei", null }, // digit-less and past the fast path: apimachinery's slow path finds no number
        { "1e4294967296", null }, // exponents past int32 are refused (kubernetes#141203)
    };

    /// <summary>What the client gives instead: its canonical text (null: it refuses) and, where only the value differs, its value.</summary>
    private sealed record Deviation(string? Canonical, decimal? Value = null);

    /// <summary>
    /// Where KubernetesClient 21's ResourceQuantity departs from apimachinery (Capstan follows apimachinery). Pinned,
    /// so that a client that changes sends us back here.
    /// </summary>
    private static readonly Dictionary<string, Deviation> s_clientDeviations = new(StringComparer.Ordinal)
    {
        // Negative values: the client's "has a fraction" check only works for positive values, so it settles on the
        // largest suffix with a fractional mantissa.
        ["-1"] = new("-0.000000000000000001E"),
        ["-250m"] = new("-0.00000000000000000025E"),
        ["-1.5Gi"] = new("-0.0000000013969838619232177734Ei"),
        ["-1n"] = new("-0.000000000000000000000000001E"),
        ["-0.1n"] = new("-0.0000000000000000000000000001E"),

        // Finer than a nano-unit: apimachinery rounds the value up when parsing; the client keeps the exact fraction
        // (its text rounds up the same way, its value does not).
        ["0.1n"] = new("1n", 0.0000000001m),
        ["3.001n"] = new("4n", 0.000000003001m),
        ["1.1E-9"] = new("2e-9", 0.0000000011m),
        ["1.5e-10"] = new("1e-9", 0.00000000015m),
        ["0.000000000001Ki"] = new("2n", 0.000000001024m),

        // Values past what a decimal holds: the client cannot print them.
        ["123456789012345678901234567890"] = new(null),

        // Past E the client keeps the decimal SI suffix where apimachinery (since kubernetes#140459) uses an exponent.
        ["1000E"] = new("1000E"),

        // A digit-less number: apimachinery reads it as zero, the client's number parser refuses it.
        ["Gi"] = new(null),
        ["m"] = new(null),
        ["."] = new(null),
        ["-"] = new(null),

        // The client cuts the number off at the first suffix letter and trims the number, so inner spaces pass.
        ["1 Gi"] = new("1Gi"),
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Capstan_ReadsQuantities_AsApimachineryDoes(string input, string? canonical)
    {
        var accepted = Quantity.TryParse(input, out var quantity, out var error);

        if (canonical is null)
        {
            Assert.False(accepted, $"'{input}' should be refused, read as {quantity}");
            Assert.False(string.IsNullOrWhiteSpace(error));
        }
        else
        {
            Assert.True(accepted, $"'{input}' should be accepted: {error}");
            Assert.Equal(canonical, quantity.ToString());

            // The canonical text reads back as the same value and the same text.
            var again = Quantity.Parse(canonical);
            Assert.Equal(quantity, again);
            Assert.Equal(canonical, again.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void KubernetesClient_AgreesWithCapstan_ExceptWhereItDepartsFromApimachinery(string input, string? canonical)
    {
        var client = ClientCanonical(input, out var clientQuantity);
        var ours = canonical is not null && Quantity.Parse(input).TryToDecimal(out var value) ? value : (decimal?)null;

        if (s_clientDeviations.TryGetValue(input, out var deviation))
        {
            Assert.Equal(deviation.Canonical, client);
            if (deviation.Value is { } clientValue)
            {
                Assert.Equal(clientValue, clientQuantity!.ToDecimal());
                Assert.NotEqual(ours, clientValue);
            }
            else
            {
                Assert.NotEqual(canonical, client);
            }

            return;
        }

        Assert.Equal(canonical, client);
        if (ours is not null && clientQuantity is not null)
        {
            Assert.Equal(ours, clientQuantity.ToDecimal());
        }
    }

    [Fact]
    public void TenMillionGibibytes_IsAcceptedWithItsExactValue()
    {
        var quantity = Quantity.Parse("10000000Gi");

        Assert.Equal(10_000_000L * 1024 * 1024 * 1024, quantity.Value);
        Assert.Equal(new ResourceQuantity("10000000Gi").ToInt64(), quantity.Value);
        Assert.Equal("10000000Gi", quantity.ToString());
    }

    private static string? ClientCanonical(string input, out ResourceQuantity? quantity)
    {
        quantity = null;
        try
        {
            quantity = new ResourceQuantity(input);
            return quantity.ToString();
        }
#pragma warning disable CA1031 // the client signals a refusal with assorted exception types
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}
