using Microsoft.Extensions.Logging;

namespace Capstan.Aws;

/// <summary>The AWS adapter's log lines (event ids 5xxx; the read side uses 5100-5199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5100, EventName = "ReadTemplateResolved", Level = LogLevel.Debug,
        Message = "Node template {Template} resolved: {Subnets} subnets in {Zones}, {SecurityGroups} security groups, AMIs {Amis}")]
    public static partial void ReadTemplateResolved(this ILogger logger, string template, int subnets, string zones, int securityGroups, string amis);

    [LoggerMessage(EventId = 5101, EventName = "ReadAmiParameterMissing", Level = LogLevel.Debug,
        Message = "SSM parameter {Parameter} does not exist; the {Family} family has no {Key} AMI for Kubernetes {Version}")]
    public static partial void ReadAmiParameterMissing(this ILogger logger, string parameter, string family, string key, string version);

    [LoggerMessage(EventId = 5110, EventName = "ReadInstanceTypesRefreshed", Level = LogLevel.Information,
        Message = "Instance types refreshed: {Types} types offered in {Zones} ({Offerings} offerings)")]
    public static partial void ReadInstanceTypesRefreshed(this ILogger logger, int types, string zones, int offerings);

    [LoggerMessage(EventId = 5111, EventName = "ReadSpotPricesRefreshed", Level = LogLevel.Debug,
        Message = "Spot prices refreshed: {Prices} (type, zone) prices")]
    public static partial void ReadSpotPricesRefreshed(this ILogger logger, int prices);

    [LoggerMessage(EventId = 5112, EventName = "ReadSpotPricesFallback", Level = LogLevel.Warning,
        Message = "Spot prices could not be read ({Reason}); using the built-in catalog's estimates")]
    public static partial void ReadSpotPricesFallback(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5120, EventName = "ReadOnDemandPricesRefreshed", Level = LogLevel.Information,
        Message = "On-demand prices for {Region} read from the AWS Price List API: {Prices} instance types")]
    public static partial void ReadOnDemandPricesRefreshed(this ILogger logger, string region, int prices);

    [LoggerMessage(EventId = 5121, EventName = "ReadOnDemandPricesFallback", Level = LogLevel.Warning,
        Message = "On-demand prices could not be read from the AWS Price List API ({Reason}); using the built-in catalog's prices")]
    public static partial void ReadOnDemandPricesFallback(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5122, EventName = "ReadPriceListEntrySkipped", Level = LogLevel.Debug,
        Message = "A Price List entry was skipped: {Reason}")]
    public static partial void ReadPriceListEntrySkipped(this ILogger logger, string reason);
}
