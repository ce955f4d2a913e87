namespace Capstan.Sandbox.Aws;

/// <summary>A security group of the EC2 stand-in's world.</summary>
public sealed record Ec2SecurityGroup
{
    public required string GroupId { get; init; }

    public required string GroupName { get; init; }

    public string Description { get; init; } = "";

    public required string VpcId { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
