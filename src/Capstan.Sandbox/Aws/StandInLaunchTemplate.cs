namespace Capstan.Sandbox.Aws;

/// <summary>A launch template in the EC2 stand-in: its id, name, tags and data exactly as the request carried them.</summary>
public sealed record StandInLaunchTemplate
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreateTime { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>LaunchTemplateData.*</c> parameters with that prefix removed (<c>ImageId</c>, <c>SecurityGroupId.1</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();

    public string? ImageId => Data.GetValueOrDefault("ImageId");
}
