namespace Capstan.Core.Cloud;

/// <summary>Instance metadata service settings; unset members take the launch defaults (IMDSv2 required, hop limit 2).</summary>
public sealed record MetadataOptions
{
    public string? HttpEndpoint { get; init; }

    public string? HttpProtocolIPv6 { get; init; }

    public int? HttpPutResponseHopLimit { get; init; }

    public string? HttpTokens { get; init; }
}
