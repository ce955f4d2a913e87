using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Capstan.Core.InstanceTypes;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// The AWS Price List API behind the <see cref="AwsStandIn"/> (service <c>pricing</c>, JSON 1.1,
/// <c>AWSPriceListService.GetProducts</c>): products with attributes and an on-demand hourly USD price, answered
/// with <c>TERM_MATCH</c>/<c>EQUALS</c> filters, <c>MaxResults</c> (1-100) and <c>NextToken</c> paging, each
/// <c>PriceList</c> entry a JSON document inside a string as AWS sends it.
/// </summary>
public sealed class PricingStandIn : IAwsService
{
    private const int DefaultPage = 100;
    private readonly List<(IReadOnlyDictionary<string, string> Attributes, double Price, string Sku)> _products = [];
    private readonly Lock _gate = new();

    public string Name => "pricing";

    /// <summary>Adds one EC2 product: an instance type in a region with the given attributes (Linux, shared, used by default).</summary>
    public void AddInstancePrice(string instanceType, string regionCode, double pricePerHour, string operatingSystem = "Linux", string tenancy = "Shared",
        string capacityStatus = "Used", string preInstalledSw = "NA")
    {
        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["servicecode"] = "AmazonEC2",
            ["instanceType"] = instanceType,
            ["instanceFamily"] = "General purpose",
            ["regionCode"] = regionCode,
            ["operatingSystem"] = operatingSystem,
            ["tenancy"] = tenancy,
            ["capacitystatus"] = capacityStatus,
            ["preInstalledSw"] = preInstalledSw,
            ["licenseModel"] = "No License required",
            ["usagetype"] = $"BoxUsage:{instanceType}",
            ["operation"] = "RunInstances",
        };
        var sku = Sku(attributes);
        lock (_gate)
        {
            _products.Add((attributes, pricePerHour, sku));
        }
    }

    /// <summary>Adds the Linux shared-tenancy price of every spec that has one (e.g. the built-in catalog's).</summary>
    public void AddInstancePrices(IEnumerable<InstanceTypeSpec> specs, string regionCode)
    {
        ArgumentNullException.ThrowIfNull(specs);
        foreach (var spec in specs.Where(s => s.OnDemandPricePerHour > 0))
        {
            AddInstancePrice(spec.Name, regionCode, spec.OnDemandPricePerHour);
        }
    }

    public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            return ValueTask.FromResult(request.Action == "GetProducts"
                ? GetProducts(request.Json)
                : AwsReply.JsonError(HttpStatusCode.BadRequest, "UnknownOperationException", $"The operation {request.Action} is not supported by this stand-in"));
        }
    }

    private AwsReply GetProducts(JsonNode? body)
    {
        var service = body?["ServiceCode"]?.GetValue<string>();
        if (string.IsNullOrEmpty(service))
        {
            return Invalid("ServiceCode is required");
        }

        var format = body?["FormatVersion"]?.GetValue<string>() ?? "aws_v1";
        if (format != "aws_v1")
        {
            return Invalid($"Invalid FormatVersion {format}; valid values are: aws_v1");
        }

        var size = DefaultPage;
        if (body?["MaxResults"] is { } max)
        {
            size = max.GetValue<int>();
            if (size is < 1 or > 100)
            {
                return Invalid("MaxResults must be between 1 and 100");
            }
        }

        var filters = new List<(string Field, string Value)>();
        foreach (var filter in body?["Filters"] as JsonArray ?? [])
        {
            var type = filter?["Type"]?.GetValue<string>();
            var field = filter?["Field"]?.GetValue<string>();
            var value = filter?["Value"]?.GetValue<string>();
            if (type is not ("TERM_MATCH" or "EQUALS") || string.IsNullOrEmpty(field) || value is null)
            {
                return Invalid($"Invalid filter: Type {type ?? "null"}, Field {field ?? "null"}, Value {value ?? "null"}");
            }

            filters.Add((field, value));
        }

        var offset = 0;
        if (body?["NextToken"]?.GetValue<string>() is { Length: > 0 } token)
        {
            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
                if (!text.StartsWith("products:", StringComparison.Ordinal) || !int.TryParse(text[9..], NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                {
                    return AwsReply.JsonError(HttpStatusCode.BadRequest, "InvalidNextTokenException", "The pagination token is invalid. Try again without a pagination token.");
                }
            }
            catch (FormatException)
            {
                return AwsReply.JsonError(HttpStatusCode.BadRequest, "InvalidNextTokenException", "The pagination token is invalid. Try again without a pagination token.");
            }
        }

        if (service != "AmazonEC2")
        {
            return AwsReply.JsonError(HttpStatusCode.BadRequest, "NotFoundException", $"Service code {service} not found");
        }

        var matched = _products.Where(p => filters.All(f => (f.Field.Equals("ServiceCode", StringComparison.OrdinalIgnoreCase) && f.Value == "AmazonEC2")
            || p.Attributes.Any(a => a.Key.Equals(f.Field, StringComparison.OrdinalIgnoreCase) && a.Value.Equals(f.Value, StringComparison.OrdinalIgnoreCase)))).ToList();
        var page = matched.Skip(offset).Take(size).ToList();
        var list = new JsonArray();
        foreach (var (attributes, price, sku) in page)
        {
            list.Add(Product(attributes, price, sku));
        }

        var answer = new JsonObject { ["FormatVersion"] = "aws_v1", ["PriceList"] = list };
        if (offset + page.Count < matched.Count)
        {
            answer["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"products:{(offset + page.Count).ToString(CultureInfo.InvariantCulture)}"));
        }

        return AwsReply.Json(answer);
    }

    /// <summary>One product as the Price List writes it, serialised into a string.</summary>
    private static string Product(IReadOnlyDictionary<string, string> attributes, double price, string sku)
    {
        const string OfferTerm = "JRTCKXETXF";
        const string RateCode = "6YS6EN2CT7";
        var attributeObject = new JsonObject();
        foreach (var (key, value) in attributes)
        {
            attributeObject[key] = value;
        }

        var usd = price.ToString("0.0000000000", CultureInfo.InvariantCulture);
        var product = new JsonObject
        {
            ["product"] = new JsonObject { ["productFamily"] = "Compute Instance", ["attributes"] = attributeObject, ["sku"] = sku },
            ["serviceCode"] = "AmazonEC2",
            ["terms"] = new JsonObject
            {
                ["OnDemand"] = new JsonObject
                {
                    [$"{sku}.{OfferTerm}"] = new JsonObject
                    {
                        ["priceDimensions"] = new JsonObject
                        {
                            [$"{sku}.{OfferTerm}.{RateCode}"] = new JsonObject
                            {
                                ["unit"] = "Hrs",
                                ["endRange"] = "Inf",
                                ["description"] = $"${usd} per On Demand {attributes["operatingSystem"]} {attributes["instanceType"]} Instance Hour",
                                ["appliesTo"] = new JsonArray(),
                                ["rateCode"] = $"{sku}.{OfferTerm}.{RateCode}",
                                ["beginRange"] = "0",
                                ["pricePerUnit"] = new JsonObject { ["USD"] = usd },
                            },
                        },
                        ["sku"] = sku,
                        ["effectiveDate"] = "2026-11-01T00:00:00Z",
                        ["offerTermCode"] = OfferTerm,
                        ["termAttributes"] = new JsonObject(),
                    },
                },
            },
            ["version"] = "20261101000000",
            ["publicationDate"] = "2026-11-01T00:00:00Z",
        };
        return product.ToJsonString();
    }

    /// <summary>A stable SKU from the attributes (FNV-1a, in the Price List's 16 upper-case characters).</summary>
    private static string Sku(IReadOnlyDictionary<string, string> attributes)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in string.Join("|", attributes.Select(a => a.Key + "=" + a.Value)))
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        var text = new StringBuilder(16);
        for (var i = 0; i < 16; i++)
        {
            text.Append(Alphabet[(int)(hash % (ulong)Alphabet.Length)]);
            hash = (hash / (ulong)Alphabet.Length) ^ ((ulong)i * 0x9E3779B97F4A7C15UL);
        }

        return text.ToString();
    }

    private static AwsReply Invalid(string message) => AwsReply.JsonError(HttpStatusCode.BadRequest, "InvalidParameterException", message);
}
