using System.Text.Json.Serialization;

namespace Capstan.Aws.Pricing;

/// <summary>One Price List filter: products whose <see cref="Field"/> equals <see cref="Value"/> (<c>TERM_MATCH</c>).</summary>
public sealed record PricingFilter(
    [property: JsonPropertyName("Field")] string Field,
    [property: JsonPropertyName("Value")] string Value)
{
    public const string TermMatch = "TERM_MATCH";

    [JsonPropertyName("Type")]
    public string Type { get; init; } = TermMatch;
}
