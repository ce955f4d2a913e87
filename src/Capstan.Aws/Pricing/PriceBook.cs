namespace Capstan.Aws.Pricing;

/// <summary>On-demand USD prices per hour by instance type, and where they came from.</summary>
public sealed record PriceBook(IReadOnlyDictionary<string, double> PricePerHour, PriceSource Source);
