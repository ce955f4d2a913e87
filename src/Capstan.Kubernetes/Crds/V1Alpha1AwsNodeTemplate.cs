using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Capstan.Kubernetes.Crds;

/// <summary><c>karpenter.k8s.aws/v1alpha1</c> <c>AWSNodeTemplate</c> (Karpenter v0.26.1's AWSNodeTemplate API).</summary>
[KubernetesEntity(Group = Group, Kind = KindName, ApiVersion = Version, PluralName = Plural)]
public sealed class V1Alpha1AwsNodeTemplate : IKubernetesObject<V1ObjectMeta>, ISpec<AwsNodeTemplateSpec>
{
    public const string Group = "karpenter.k8s.aws";
    public const string Version = "v1alpha1";
    public const string KindName = "AWSNodeTemplate";
    public const string Plural = "awsnodetemplates";
    public const string GroupVersion = Group + "/" + Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public AwsNodeTemplateSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public AwsNodeTemplateStatus? Status { get; set; }
}

/// <summary>The inline AWS provider fields, which AWSNodeTemplate embeds.</summary>
public class AwsProviderSpec
{
    [JsonPropertyName("amiFamily")]
    public string? AmiFamily { get; set; }

    [JsonPropertyName("context")]
    public string? Context { get; set; }

    [JsonPropertyName("instanceProfile")]
    public string? InstanceProfile { get; set; }

    [JsonPropertyName("subnetSelector")]
    public Dictionary<string, string>? SubnetSelector { get; set; }

    [JsonPropertyName("securityGroupSelector")]
    public Dictionary<string, string>? SecurityGroupSelector { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }

    [JsonPropertyName("launchTemplate")]
    public string? LaunchTemplate { get; set; }

    [JsonPropertyName("metadataOptions")]
    public MetadataOptions? MetadataOptions { get; set; }

    [JsonPropertyName("blockDeviceMappings")]
    public List<BlockDeviceMapping>? BlockDeviceMappings { get; set; }
}

public sealed class AwsNodeTemplateSpec : AwsProviderSpec
{
    [JsonPropertyName("userData")]
    public string? UserData { get; set; }

    [JsonPropertyName("amiSelector")]
    public Dictionary<string, string>? AmiSelector { get; set; }

    [JsonPropertyName("detailedMonitoring")]
    public bool? DetailedMonitoring { get; set; }
}

public sealed class MetadataOptions
{
    [JsonPropertyName("httpEndpoint")]
    public string? HttpEndpoint { get; set; }

    [JsonPropertyName("httpProtocolIPv6")]
    public string? HttpProtocolIPv6 { get; set; }

    [JsonPropertyName("httpPutResponseHopLimit")]
    public long? HttpPutResponseHopLimit { get; set; }

    [JsonPropertyName("httpTokens")]
    public string? HttpTokens { get; set; }
}

public sealed class BlockDeviceMapping
{
    [JsonPropertyName("deviceName")]
    public string? DeviceName { get; set; }

    [JsonPropertyName("ebs")]
    public BlockDevice? Ebs { get; set; }
}

public sealed class BlockDevice
{
    [JsonPropertyName("deleteOnTermination")]
    public bool? DeleteOnTermination { get; set; }

    [JsonPropertyName("encrypted")]
    public bool? Encrypted { get; set; }

    [JsonPropertyName("iops")]
    public long? Iops { get; set; }

    [JsonPropertyName("kmsKeyID")]
    public string? KmsKeyID { get; set; }

    [JsonPropertyName("snapshotID")]
    public string? SnapshotID { get; set; }

    [JsonPropertyName("throughput")]
    public long? Throughput { get; set; }

    [JsonPropertyName("volumeSize")]
    public ResourceQuantity? VolumeSize { get; set; }

    [JsonPropertyName("volumeType")]
    public string? VolumeType { get; set; }
}

public sealed class AwsNodeTemplateStatus
{
    [JsonPropertyName("subnets")]
    public List<SubnetStatus>? Subnets { get; set; }

    [JsonPropertyName("securityGroups")]
    public List<SecurityGroupStatus>? SecurityGroups { get; set; }
}

public sealed class SubnetStatus
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("zone")]
    public string? Zone { get; set; }
}

public sealed class SecurityGroupStatus
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }
}
