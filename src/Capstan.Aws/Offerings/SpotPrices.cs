using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Capstan.Aws.Clients;
using Capstan.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Offerings;

/// <summary>
/// Current Linux spot prices: <c>DescribeSpotPriceHistory</c> with <c>StartTime</c> now (EC2 then gives the price
/// in effect in every zone), every page read, the newest record kept per (type, zone). <see cref="GetAsync"/> reads
/// again once the last read is <see cref="RefreshInterval"/> old; <see cref="RefreshAsync"/> reads now (the periodic
/// refresher calls it). A failed read keeps the previous prices; with none, it says so and spot falls back to estimates.
/// </summary>
public sealed class SpotPrices(IAmazonEC2 ec2, AwsPipelines pipelines, TimeProvider time, ILogger<SpotPrices> logger) : IDisposable
{
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(5);
    public const string LinuxProductDescription = "Linux/UNIX";

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private SpotPriceSnapshot? _current;

    public TimeSpan RefreshInterval { get; init; } = DefaultRefreshInterval;

    /// <summary>Records asked for a page (5-1000).</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>The last prices read, or null before the first read.</summary>
    public SpotPriceSnapshot? Current => Volatile.Read(ref _current);

    public void Dispose() => _refreshing.Dispose();

    /// <summary>The prices, read again when the last read is older than <see cref="RefreshInterval"/>.</summary>
    public async Task<SpotPriceSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var current = Current;
        if (current is not null && time.GetUtcNow() - current.ReadAt < RefreshInterval)
        {
            return current;
        }

        return await RefreshAsync(cancellationToken);
    }

    /// <summary>Reads every page now and makes it the current snapshot.</summary>
    public async Task<SpotPriceSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            try
            {
                var snapshot = new SpotPriceSnapshot(await ReadAsync(now, cancellationToken), now);
                Volatile.Write(ref _current, snapshot);
                logger.ReadSpotPricesRefreshed(snapshot.Prices.Count);
                return snapshot;
            }
            catch (CloudProviderException ex)
            {
                logger.ReadSpotPricesFallback(ex.Message);
                var previous = Current;
                var kept = previous is { Failed: false }
                    ? previous with { ReadAt = now }
                    : new SpotPriceSnapshot(new Dictionary<(string, string), double>(), now, Failed: true);
                Volatile.Write(ref _current, kept);
                return kept;
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<Dictionary<(string, string), double>> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<(string, string), (double Price, DateTime At)>();
        string? next = null;
        do
        {
            var request = new DescribeSpotPriceHistoryRequest
            {
                ProductDescriptions = [LinuxProductDescription],
                StartTime = now.UtcDateTime,
                MaxResults = PageSize,
                NextToken = next,
            };
            var page = await AwsPipelines.RunAsync(pipelines.Idempotent("EC2"), "EC2", "DescribeSpotPriceHistory", t => ec2.DescribeSpotPriceHistoryAsync(request, t), cancellationToken);
            foreach (var record in page.SpotPriceHistory ?? [])
            {
                if (record.InstanceType?.Value is not { Length: > 0 } type || string.IsNullOrEmpty(record.AvailabilityZone)
                    || !double.TryParse(record.Price, NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || price <= 0)
                {
                    continue;
                }

                var at = record.Timestamp ?? DateTime.MinValue;
                var key = (type, record.AvailabilityZone);
                if (!newest.TryGetValue(key, out var seen) || at > seen.At)
                {
                    newest[key] = (price, at);
                }
            }

            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);

        return newest.ToDictionary(n => n.Key, n => n.Value.Price);
    }
}
