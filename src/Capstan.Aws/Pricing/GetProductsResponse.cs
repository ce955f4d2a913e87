using System.Text.Json.Serialization;

namespace Capstan.Aws.Pricing;

/// <summary>
/// The answer to <c>GetProducts</c>: each <see cref="PriceList"/> entry is one product with its terms, as a JSON
/// document inside a string (as AWS sends it).
/// </summary>
public sealed record GetProductsResponse
{
    [JsonPropertyName("FormatVersion")]
    public string? FormatVersion { get; init; }

    [JsonPropertyName("NextToken")]
    public string? NextToken { get; init; }

    [JsonPropertyName("PriceList")]
    public IReadOnlyList<string> PriceList { get; init; } = [];
}
