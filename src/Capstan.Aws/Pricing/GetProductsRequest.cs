using System.Text.Json.Serialization;

namespace Capstan.Aws.Pricing;

/// <summary>The AWS Price List <c>GetProducts</c> request (service <c>pricing</c>, API version 2017-10-15).</summary>
public sealed record GetProductsRequest
{
    [JsonPropertyName("ServiceCode")]
    public required string ServiceCode { get; init; }

    [JsonPropertyName("Filters")]
    public IReadOnlyList<PricingFilter> Filters { get; init; } = [];

    /// <summary><c>aws_v1</c>, the only format there is.</summary>
    [JsonPropertyName("FormatVersion")]
    public string FormatVersion { get; init; } = "aws_v1";

    [JsonPropertyName("NextToken")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NextToken { get; init; }

    /// <summary>1 to 100 products a page.</summary>
    [JsonPropertyName("MaxResults")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxResults { get; init; }
}
