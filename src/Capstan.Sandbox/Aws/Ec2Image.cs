namespace Capstan.Sandbox.Aws;

/// <summary>An AMI of the EC2 stand-in's world.</summary>
public sealed record Ec2Image
{
    public required string ImageId { get; init; }

    public required string Name { get; init; }

    /// <summary>EC2's architecture name: <c>x86_64</c> or <c>arm64</c>.</summary>
    public required string Architecture { get; init; }

    public required DateTimeOffset CreationDate { get; init; }

    /// <summary>The owning account id.</summary>
    public required string OwnerId { get; init; }

    /// <summary><c>amazon</c> for Amazon's images, else null.</summary>
    public string? OwnerAlias { get; init; }

    public string State { get; init; } = "available";

    public bool Public { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
