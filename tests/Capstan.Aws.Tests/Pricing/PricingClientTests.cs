using System.Text.Json;
using Capstan.Aws.Pricing;
using Capstan.Core.Cloud;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Tests.Pricing;

public sealed class PricingClientTests
{
    private static readonly TimeSpan s_timeout = ReadWorld.Timeout;

    [Fact]
    public async Task GetProductsAsync_SignedJson11_ForThePricingSigningName()
    {
        await using var world = await ReadWorld.StartAsync();
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.096);

        var page = await world.PricingClient.GetProductsAsync(
            new GetProductsRequest { ServiceCode = "AmazonEC2", Filters = [new PricingFilter("instanceType", "m5.large")], MaxResults = 10 },
            CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal("aws_v1", page.FormatVersion);
        Assert.Single(page.PriceList);
        var call = Assert.Single(world.StandIn.Calls);
        Assert.Equal("pricing", call.Service);
        Assert.Equal("GetProducts", call.Action);
        Assert.Equal("AWSPriceListService.GetProducts", call.Headers["x-amz-target"]);
        Assert.StartsWith("application/x-amz-json-1.1", call.Headers["content-type"], StringComparison.Ordinal);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/pricing/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$", call.Headers["authorization"]);
        Assert.Equal("20261201T100000Z", call.Headers["x-amz-date"]);
        Assert.Equal("AmazonEC2", call.Json!["ServiceCode"]!.GetValue<string>());
        Assert.Equal("TERM_MATCH", call.Json["Filters"]![0]!["Type"]!.GetValue<string>());
        Assert.Equal(10, call.Json["MaxResults"]!.GetValue<int>());
        Assert.Null(call.Json["NextToken"]);
    }

    [Fact]
    public async Task GetProductsAsync_AwsError_SurfacesCodeAndStatus()
    {
        await using var world = await ReadWorld.StartAsync();

        var error = await Assert.ThrowsAsync<Amazon.Runtime.AmazonServiceException>(() => world.PricingClient.GetProductsAsync(
            new GetProductsRequest { ServiceCode = "AmazonEC2", MaxResults = 500 }, CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("InvalidParameterException", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("MaxResults must be between 1 and 100", error.Message);
    }

    [Fact]
    public async Task ReadAsync_EveryPageWithTheLinuxSharedFilters_ParsesPrices()
    {
        await using var world = await ReadWorld.StartAsync();
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.096);
        world.Pricing.AddInstancePrice("c5.xlarge", "us-east-1", 0.17);
        world.Pricing.AddInstancePrice("m6g.large", "us-east-1", 0.077);
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.188, operatingSystem: "Windows");
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.0, capacityStatus: "UnusedCapacityReservation");
        world.Pricing.AddInstancePrice("m5.large", "us-west-2", 0.5);
        var prices = new OnDemandPrices(world.PricingClient, world.Pipelines, "us-east-1", world.Time, world.PriceLog) { PageSize = 2 };

        var book = await prices.ReadAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(PriceSource.PriceList, book.Source);
        Assert.Equal(new Dictionary<string, double> { ["m5.large"] = 0.096, ["c5.xlarge"] = 0.17, ["m6g.large"] = 0.077 }, book.PricePerHour.ToDictionary());
        var calls = world.StandIn.CallsOf("pricing", "GetProducts");
        Assert.Equal(2, calls.Count);
        Assert.NotNull(calls[1].Json!["NextToken"]);
        var filters = calls[0].Json!["Filters"]!.AsArray().Select(f => (f!["Field"]!.GetValue<string>(), f["Value"]!.GetValue<string>())).ToList();
        Assert.Equal([("regionCode", "us-east-1"), ("operatingSystem", "Linux"), ("preInstalledSw", "NA"), ("tenancy", "Shared"), ("capacitystatus", "Used")], filters);
        Assert.Equal("aws_v1", calls[0].Json!["FormatVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetAsync_PriceListDown_CatalogPricesThenAskedAgainLater()
    {
        await using var world = await ReadWorld.StartAsync();
        world.Pricing.AddInstancePrice("m5.large", "us-east-1", 0.1111);
        world.StandIn.Fail(new AwsFaultRule { Service = "pricing", Fault = AwsFault.Malformed, Times = 1 });
        var prices = new OnDemandPrices(world.PricingClient, world.Pipelines, "us-east-1", world.Time, world.PriceLog);

        var fallback = await prices.GetAsync(CancellationToken.None).WaitAsync(s_timeout);
        var again = await prices.GetAsync(CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(PriceSource.Catalog, fallback.Source);
        Assert.Same(fallback, again);
        Assert.Equal(0.096, fallback.PricePerHour["m5.large"], 6);
        var warning = Assert.Single(world.PriceLog.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("an answer that could not be read", warning.Message, StringComparison.Ordinal);
        Assert.Single(world.StandIn.CallsOf("pricing", "GetProducts"));

        world.Time.Advance(OnDemandPrices.FallbackTtl);
        var recovered = await prices.GetAsync(CancellationToken.None).WaitAsync(s_timeout);
        Assert.Equal(PriceSource.PriceList, recovered.Source);
        Assert.Equal(0.1111, recovered.PricePerHour["m5.large"], 6);
    }

    [Theory]
    [InlineData("not json", "it is not a JSON document")]
    [InlineData("{\"product\":{\"attributes\":{}}}", "it names no product.attributes.instanceType")]
    [InlineData("{\"product\":{\"attributes\":{\"instanceType\":\"m5.large\"}},\"terms\":{}}", "m5.large has no on-demand terms")]
    [InlineData("{\"product\":{\"attributes\":{\"instanceType\":\"m5.large\"}},\"terms\":{\"OnDemand\":{\"A\":{\"priceDimensions\":{\"B\":{\"pricePerUnit\":{\"USD\":\"0.0000000000\"}}}}}}}", "m5.large has no positive USD on-demand price")]
    public void Parse_Malformed_SaysWhy(string entry, string problem)
    {
        Assert.False(OnDemandPrices.Parse(entry, out _, out _, out var why));
        Assert.Equal(problem, why);
    }

    [Fact]
    public void Parse_PriceListProduct_TypeAndUsdPrice()
    {
        const string Entry = "{\"product\":{\"attributes\":{\"instanceType\":\"c5.xlarge\"}},\"terms\":{\"OnDemand\":{\"SKU.T\":{\"priceDimensions\":{\"SKU.T.R\":{\"unit\":\"Hrs\",\"pricePerUnit\":{\"USD\":\"0.1700000000\"}}}}}}}";

        Assert.True(OnDemandPrices.Parse(Entry, out var type, out var price, out _));
        Assert.Equal("c5.xlarge", type);
        Assert.Equal(0.17, price, 9);
        using var document = JsonDocument.Parse(Entry);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public async Task ReadAsync_NoPriceForTheRegion_ThrowsInWords()
    {
        await using var world = await ReadWorld.StartAsync();
        world.Pricing.AddInstancePrice("m5.large", "eu-west-1", 0.107);
        var prices = new OnDemandPrices(world.PricingClient, world.Pipelines, "us-east-1", world.Time, world.PriceLog);

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => prices.ReadAsync(CancellationToken.None).WaitAsync(s_timeout));

        Assert.Equal("the Price List gave no on-demand Linux price for region us-east-1", error.Message);
    }
}
