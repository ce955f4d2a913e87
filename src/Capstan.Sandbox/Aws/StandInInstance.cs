namespace Capstan.Sandbox.Aws;

/// <summary>
/// An instance in the EC2 stand-in. Its state follows the world's clock: pending until <see cref="RunningAt"/>,
/// then running; after a terminate, shutting-down until <see cref="TerminatedAt"/>, then terminated.
/// </summary>
public sealed class StandInInstance
{
    public required string InstanceId { get; init; }

    public required string InstanceType { get; init; }

    public required string Zone { get; init; }

    public required string SubnetId { get; init; }

    public string? ImageId { get; init; }

    /// <summary><c>spot</c> or <c>on-demand</c>.</summary>
    public required string Lifecycle { get; init; }

    public required string PrivateIpAddress { get; init; }

    public required string PrivateDnsName { get; init; }

    public required DateTimeOffset LaunchTime { get; init; }

    public required DateTimeOffset RunningAt { get; init; }

    public string? ClientToken { get; init; }

    public string? LaunchTemplateId { get; init; }

    public string? IamInstanceProfile { get; init; }

    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The metadata options the instance launched with (from its launch template), by member name.</summary>
    public Dictionary<string, string> MetadataOptions { get; init; } = new(StringComparer.Ordinal);

    /// <summary>When a terminate was asked for; null while it lives.</summary>
    public DateTimeOffset? TerminationRequestedAt { get; set; }

    public DateTimeOffset? TerminatedAt { get; set; }

    /// <summary>Set to stop the instance (stopped from then on).</summary>
    public bool Stopped { get; set; }

    /// <summary>The state at a moment of the world's clock.</summary>
    public string StateAt(DateTimeOffset now) => this switch
    {
        { TerminatedAt: { } at } when now >= at => "terminated",
        { TerminationRequestedAt: not null } => "shutting-down",
        { Stopped: true } => "stopped",
        _ when now >= RunningAt => "running",
        _ => "pending",
    };

    public static int StateCode(string state) => state switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        "stopped" => 80,
        _ => 0,
    };
}
