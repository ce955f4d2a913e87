using Capstan.Core.Cloud;

namespace Capstan.Aws.Discovery;

/// <summary>A node template with its selectors resolved against EC2: what a launch actually uses.</summary>
public sealed record ResolvedTemplate
{
    public required NodeTemplate Template { get; init; }

    /// <summary>AL2, Bottlerocket, Ubuntu or Custom (AL2 when the template names none).</summary>
    public required string AmiFamily { get; init; }

    /// <summary>The subnets the subnet selector found, most free addresses first.</summary>
    public required IReadOnlyList<SubnetInfo> Subnets { get; init; }

    public required IReadOnlyList<string> SecurityGroupIds { get; init; }

    /// <summary>AMI per Kubernetes architecture (<c>amd64</c>, <c>arm64</c>), and per GPU variant where it differs (<c>amd64-nvidia</c>).</summary>
    public required IReadOnlyDictionary<string, string> Amis { get; init; }

    /// <summary>The template's instance profile, else the default one; null when neither is set.</summary>
    public string? InstanceProfile { get; init; }

    /// <summary>The zones the subnets cover.</summary>
    public IReadOnlyList<string> Zones => [.. Subnets.Select(s => s.Zone).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

/// <summary>A subnet a node can be launched in.</summary>
public sealed record SubnetInfo(string SubnetId, string Zone, string? ZoneId, int AvailableIpAddresses);
