namespace Capstan.Core.Cloud;

/// <summary>One EBS volume of a node template (<c>blockDeviceMappings[]</c>).</summary>
public sealed record BlockDeviceMapping
{
    public required string DeviceName { get; init; }

    /// <summary>Volume size in bytes; null lets the AMI decide.</summary>
    public long? VolumeSizeBytes { get; init; }

    public string? VolumeType { get; init; }

    public int? Iops { get; init; }

    public int? Throughput { get; init; }

    public bool? Encrypted { get; init; }

    public bool? DeleteOnTermination { get; init; }

    public string? KmsKeyId { get; init; }

    public string? SnapshotId { get; init; }
}
