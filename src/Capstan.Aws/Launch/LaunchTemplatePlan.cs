using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Capstan.Core.Cloud;

namespace Capstan.Aws.Launch;

/// <summary>
/// Everything a Capstan-made launch template holds. Two launches with the same plan share one template: its name
/// is <c>capstan/&lt;cluster&gt;/&lt;hash of the plan&gt;</c>, so another replica or a restart finds the same one.
/// </summary>
public sealed record LaunchTemplatePlan
{
    public required string ImageId { get; init; }

    public required IReadOnlyList<string> SecurityGroupIds { get; init; }

    public string? InstanceProfile { get; init; }

    /// <summary>The user data as plain text (null: none); the template carries it base64-encoded.</summary>
    public string? UserData { get; init; }

    /// <summary>Metadata options with the launch defaults filled in.</summary>
    public required MetadataOptions MetadataOptions { get; init; }

    public required IReadOnlyList<BlockDeviceMapping> BlockDevices { get; init; }

    public bool DetailedMonitoring { get; init; }

    /// <summary>Tags of the instances and volumes launched from the template, and of the template itself.</summary>
    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>Karpenter v0.26.1's launch defaults for members the template leaves unset: IMDSv2 required, hop limit 2.</summary>
    public static MetadataOptions ResolveMetadata(MetadataOptions? options) => new()
    {
        HttpEndpoint = options?.HttpEndpoint ?? "enabled",
        HttpProtocolIPv6 = options?.HttpProtocolIPv6 ?? "disabled",
        HttpPutResponseHopLimit = options?.HttpPutResponseHopLimit ?? 2,
        HttpTokens = options?.HttpTokens ?? "required",
    };

    /// <summary>The user data as the template carries it.</summary>
    public string? UserDataBase64 => UserData is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(UserData));

    /// <summary>A stable hash of every member (order-insensitive for groups and tags), 16 hex digits.</summary>
    public string Hash()
    {
        var text = new StringBuilder();
        Field(text, "image", ImageId);
        Field(text, "groups", string.Join(',', SecurityGroupIds.Order(StringComparer.Ordinal)));
        Field(text, "profile", InstanceProfile);
        Field(text, "userdata", UserData);
        Field(text, "imds", $"{MetadataOptions.HttpEndpoint}|{MetadataOptions.HttpProtocolIPv6}|{MetadataOptions.HttpPutResponseHopLimit}|{MetadataOptions.HttpTokens}");
        foreach (var device in BlockDevices)
        {
            Field(text, "device", string.Join('|', device.DeviceName, Num(device.VolumeSizeBytes), device.VolumeType, Num(device.Iops), Num(device.Throughput),
                device.Encrypted, device.DeleteOnTermination, device.KmsKeyId, device.SnapshotId));
        }

        Field(text, "monitoring", DetailedMonitoring ? "true" : "false");
        foreach (var (key, value) in Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Field(text, "tag", key + "=" + value);
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(digest.AsSpan(0, 8));
    }

    /// <summary>The template's name in EC2.</summary>
    public string Name(string clusterName) => $"capstan/{clusterName}/{Hash()}";

    private static void Field(StringBuilder text, string name, string? value) =>
        text.Append(name).Append('=').Append(value?.Length.ToString(CultureInfo.InvariantCulture) ?? "-").Append(':').Append(value).Append('\n');

    private static string? Num(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}
