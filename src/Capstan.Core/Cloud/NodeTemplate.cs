namespace Capstan.Core.Cloud;

/// <summary>
/// How to launch a node, as the user wrote it: an <c>AWSNodeTemplate</c> spec, or the v0.5-era inline
/// <c>spec.provider</c> of a Provisioner. Selectors are unresolved here; the cloud adapter turns them into ids.
/// </summary>
public sealed record NodeTemplate
{
    private static readonly IReadOnlyDictionary<string, string> s_none = new Dictionary<string, string>();

    /// <summary>The AWSNodeTemplate's name, or null for an inline provider.</summary>
    public string? Name { get; init; }

    /// <summary>AL2, Bottlerocket, Ubuntu or Custom; null means AL2.</summary>
    public string? AmiFamily { get; init; }

    /// <summary>Tag selectors (<c>key: value</c>, <c>key: '*'</c>, comma-separated values) or <c>aws-ids</c>/<c>aws::ids</c>.</summary>
    public IReadOnlyDictionary<string, string> SubnetSelector { get; init; } = s_none;

    public IReadOnlyDictionary<string, string> SecurityGroupSelector { get; init; } = s_none;

    /// <summary>Overrides the EKS-optimised AMI lookup; same conventions as the other selectors.</summary>
    public IReadOnlyDictionary<string, string> AmiSelector { get; init; } = s_none;

    public string? InstanceProfile { get; init; }

    /// <summary>Tags for the instance, its volumes and the launch template (they override Capstan's own).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = s_none;

    /// <summary>The user's user data, merged with the bootstrap Capstan writes.</summary>
    public string? UserData { get; init; }

    /// <summary>A user-managed launch template to launch from instead of one Capstan makes.</summary>
    public string? LaunchTemplateName { get; init; }

    /// <summary>The EC2 Fleet <c>Context</c> field, passed through.</summary>
    public string? Context { get; init; }

    public MetadataOptions? MetadataOptions { get; init; }

    public IReadOnlyList<BlockDeviceMapping> BlockDeviceMappings { get; init; } = [];

    public bool DetailedMonitoring { get; init; }

    /// <summary>True for the v0.5 inline provider without selectors: subnets and groups are found by the cluster tag.</summary>
    public bool DiscoverByClusterTag { get; init; }
}
