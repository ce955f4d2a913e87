using System.Text.Json.Serialization;

namespace Capstan.Aws.Pricing;

[JsonSerializable(typeof(GetProductsRequest))]
[JsonSerializable(typeof(GetProductsResponse))]
internal sealed partial class PricingJsonContext : JsonSerializerContext;
