namespace Capstan.Sandbox.Aws;

/// <summary>A subnet of the EC2 stand-in's world.</summary>
public sealed record Ec2Subnet
{
    public required string SubnetId { get; init; }

    public required string Zone { get; init; }

    public required string ZoneId { get; init; }

    public required string VpcId { get; init; }

    public required string CidrBlock { get; init; }

    public int AvailableIpAddresses { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
