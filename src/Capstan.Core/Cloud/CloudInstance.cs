namespace Capstan.Core.Cloud;

/// <summary>An instance the cloud runs for the cluster, as Capstan tracks it.</summary>
public sealed record CloudInstance
{
    public required string InstanceId { get; init; }

    /// <summary><c>aws:///&lt;zone&gt;/&lt;instance-id&gt;</c>, the Node's <c>spec.providerID</c>.</summary>
    public required string ProviderId { get; init; }

    public required string InstanceType { get; init; }

    public required string Zone { get; init; }

    /// <summary><c>spot</c> or <c>on-demand</c>.</summary>
    public required string CapacityType { get; init; }

    /// <summary>The node name to register (<c>ip-10-0-1-2.ec2.internal</c>); null until the cloud has assigned it.</summary>
    public string? PrivateDnsName { get; init; }

    public string? PrivateIpAddress { get; init; }

    public required DateTimeOffset LaunchTime { get; init; }

    /// <summary>pending, running, shutting-down, terminated, stopping or stopped.</summary>
    public required string State { get; init; }

    public string? ImageId { get; init; }

    /// <summary>The claim that launched it (its tag), when Capstan did.</summary>
    public string? ClaimName { get; init; }

    public string? ProvisionerName { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>True once the instance is on its way out (shutting-down or terminated).</summary>
    public bool IsTerminating => State is "shutting-down" or "terminated";
}
