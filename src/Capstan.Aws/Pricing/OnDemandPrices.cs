using System.Globalization;
using System.Text.Json;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Pricing;

/// <summary>
/// Linux on-demand prices per instance type for the region, from the AWS Price List API (<c>GetProducts</c> on
/// AmazonEC2: shared tenancy, no pre-installed software, capacity status Used), every page read, kept for
/// <see cref="Ttl"/>. When the Price List cannot be read the built-in catalog's prices are used instead (one
/// warning line), and the Price List is asked again after <see cref="FallbackTtl"/>.
/// </summary>
public sealed class OnDemandPrices
{
    public static readonly TimeSpan Ttl = TimeSpan.FromHours(12);
    public static readonly TimeSpan FallbackTtl = TimeSpan.FromMinutes(5);

    private readonly PricingClient _client;
    private readonly AwsPipelines _pipelines;
    private readonly string _region;
    private readonly InstanceCatalog _catalog;
    private readonly ILogger<OnDemandPrices> _logger;
    private readonly TtlCache<PriceBook> _fromPriceList;
    private readonly TtlCache<PriceBook> _fromCatalog;

    public OnDemandPrices(PricingClient client, AwsPipelines pipelines, string region, TimeProvider time, ILogger<OnDemandPrices> logger, InstanceCatalog? catalog = null)
    {
        _client = client;
        _pipelines = pipelines;
        _region = region;
        _logger = logger;
        _catalog = catalog ?? InstanceCatalog.BuiltIn;
        _fromPriceList = new(Ttl, time);
        _fromCatalog = new(FallbackTtl, time);
    }

    /// <summary>Products asked for a page (1-100).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The prices: the Price List's while fresh, else read again, else the catalog's.</summary>
    public async Task<PriceBook> GetAsync(CancellationToken cancellationToken)
    {
        if (_fromPriceList.TryGet(_region, out var book) || _fromCatalog.TryGet(_region, out book))
        {
            return book;
        }

        try
        {
            return await _fromPriceList.GetOrLoadAsync(_region, ReadAsync, cancellationToken);
        }
        catch (CloudProviderException ex)
        {
            _logger.ReadOnDemandPricesFallback(ex.Message);
            var fallback = new PriceBook(
                _catalog.Specs.Values.Where(s => s.OnDemandPricePerHour > 0).ToDictionary(s => s.Name, s => s.OnDemandPricePerHour, StringComparer.Ordinal),
                PriceSource.Catalog);
            _fromCatalog.Set(_region, fallback);
            return fallback;
        }
    }

    /// <summary>Reads every page of the Price List now.</summary>
    public async Task<PriceBook> ReadAsync(CancellationToken cancellationToken)
    {
        var prices = new Dictionary<string, double>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var request = new GetProductsRequest
            {
                ServiceCode = "AmazonEC2",
                Filters =
                [
                    new PricingFilter("regionCode", _region),
                    new PricingFilter("operatingSystem", "Linux"),
                    new PricingFilter("preInstalledSw", "NA"),
                    new PricingFilter("tenancy", "Shared"),
                    new PricingFilter("capacitystatus", "Used"),
                ],
                FormatVersion = "aws_v1",
                NextToken = next,
                MaxResults = PageSize,
            };
            var page = await AwsPipelines.RunAsync(_pipelines.Idempotent("PRICING"), "Pricing", "GetProducts", t => _client.GetProductsAsync(request, t), cancellationToken);
            foreach (var entry in page.PriceList)
            {
                if (Parse(entry, out var type, out var price, out var problem))
                {
                    prices[type] = prices.TryGetValue(type, out var seen) ? Math.Min(seen, price) : price;
                }
                else
                {
                    _logger.ReadPriceListEntrySkipped(problem);
                }
            }

            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);

        if (prices.Count == 0)
        {
            throw new CloudProviderException("GetProducts", "NoPrices", $"the Price List gave no on-demand Linux price for region {_region}", retryable: true);
        }

        _logger.ReadOnDemandPricesRefreshed(_region, prices.Count);
        return new PriceBook(prices, PriceSource.PriceList);
    }

    /// <summary>
    /// One Price List product: <c>product.attributes.instanceType</c> and the first positive
    /// <c>terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD</c>.
    /// </summary>
    public static bool Parse(string priceListEntry, out string instanceType, out double pricePerHour, out string problem)
    {
        instanceType = "";
        pricePerHour = 0;
        try
        {
            using var document = JsonDocument.Parse(priceListEntry);
            var root = document.RootElement;
            if (!root.TryGetProperty("product", out var product) || !product.TryGetProperty("attributes", out var attributes)
                || !attributes.TryGetProperty("instanceType", out var typeElement) || typeElement.GetString() is not { Length: > 0 } type)
            {
                problem = "it names no product.attributes.instanceType";
                return false;
            }

            instanceType = type;
            if (!root.TryGetProperty("terms", out var terms) || !terms.TryGetProperty("OnDemand", out var onDemand) || onDemand.ValueKind != JsonValueKind.Object)
            {
                problem = $"{type} has no on-demand terms";
                return false;
            }

            foreach (var term in onDemand.EnumerateObject())
            {
                if (!term.Value.TryGetProperty("priceDimensions", out var dimensions) || dimensions.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var dimension in dimensions.EnumerateObject())
                {
                    if (dimension.Value.TryGetProperty("pricePerUnit", out var perUnit) && perUnit.TryGetProperty("USD", out var usd)
                        && double.TryParse(usd.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var price) && price > 0)
                    {
                        pricePerHour = price;
                        problem = "";
                        return true;
                    }
                }
            }

            problem = $"{type} has no positive USD on-demand price";
            return false;
        }
        catch (JsonException)
        {
            problem = "it is not a JSON document";
            return false;
        }
        catch (InvalidOperationException)
        {
            problem = "it is not shaped like a Price List product";
            return false;
        }
    }
}
