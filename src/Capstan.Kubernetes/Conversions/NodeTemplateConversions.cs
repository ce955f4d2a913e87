using System.Text.Json;
using Capstan.Core.Cloud;
using Capstan.Core.Resources;
using Capstan.Kubernetes.Crds;
using k8s;
using CrdBlockDeviceMapping = Capstan.Kubernetes.Crds.BlockDeviceMapping;
using CrdMetadataOptions = Capstan.Kubernetes.Crds.MetadataOptions;

namespace Capstan.Kubernetes.Conversions;

/// <summary>
/// <c>karpenter.k8s.aws/v1alpha1</c> AWSNodeTemplate objects, and the v0.5-era inline <c>spec.provider</c> of a
/// Provisioner, into the Core <see cref="NodeTemplate"/>, field for field (Karpenter v0.26.1's AWSNodeTemplate API). Selectors stay
/// unresolved; the cloud adapter turns them into ids.
/// </summary>
public static class NodeTemplateConversions
{
    public static NodeTemplate ToNodeTemplate(V1Alpha1AwsNodeTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var spec = template.Spec ?? new AwsNodeTemplateSpec();
        return Common(spec) with
        {
            Name = template.Metadata?.Name,
            AmiSelector = Map(spec.AmiSelector),
            UserData = spec.UserData,
            DetailedMonitoring = spec.DetailedMonitoring == true,
        };
    }

    /// <summary>
    /// The inline provider, already decoded. An inline provider that leaves the subnet or the security group selector
    /// out is discovered by the cluster tag (<see cref="NodeTemplate.DiscoverByClusterTag"/>), as Karpenter v0.5 did.
    /// </summary>
    public static NodeTemplate FromInlineProvider(AwsProviderSpec provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var template = Common(provider);
        return template with { DiscoverByClusterTag = template.SubnetSelector.Count == 0 || template.SecurityGroupSelector.Count == 0 };
    }

    /// <summary>
    /// The inline provider as the Provisioner holds it (<see cref="ProvisionerSpec.Provider"/>, kept raw). Unknown fields
    /// are ignored here (the admission webhook rejects them); a value of the wrong type is a <see cref="FormatException"/>.
    /// </summary>
    public static NodeTemplate FromInlineProvider(IReadOnlyDictionary<string, object?> provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        AwsProviderSpec? spec;
        try
        {
            spec = KubernetesJson.Deserialize<AwsProviderSpec>(JsonSerializer.SerializeToElement(provider).GetRawText());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException("spec.provider is not a valid AWS provider block: a field holds a value of the wrong type", e);
        }

        return FromInlineProvider(spec ?? new AwsProviderSpec());
    }

    private static NodeTemplate Common(AwsProviderSpec spec) => new()
    {
        AmiFamily = spec.AmiFamily,
        SubnetSelector = Map(spec.SubnetSelector),
        SecurityGroupSelector = Map(spec.SecurityGroupSelector),
        InstanceProfile = spec.InstanceProfile,
        Tags = Map(spec.Tags),
        LaunchTemplateName = spec.LaunchTemplate,
        Context = spec.Context,
        MetadataOptions = ToMetadataOptions(spec.MetadataOptions),
        BlockDeviceMappings = spec.BlockDeviceMappings is { } mappings ? [.. mappings.Select(ToBlockDeviceMapping)] : [],
    };

    private static Dictionary<string, string> Map(Dictionary<string, string>? map) =>
        map is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(map, StringComparer.Ordinal);

    private static Core.Cloud.MetadataOptions? ToMetadataOptions(CrdMetadataOptions? options) => options is null
        ? null
        : new Core.Cloud.MetadataOptions
        {
            HttpEndpoint = options.HttpEndpoint,
            HttpProtocolIPv6 = options.HttpProtocolIPv6,
            HttpPutResponseHopLimit = ToInt(options.HttpPutResponseHopLimit, "metadataOptions.httpPutResponseHopLimit"),
            HttpTokens = options.HttpTokens,
        };

    private static Core.Cloud.BlockDeviceMapping ToBlockDeviceMapping(CrdBlockDeviceMapping mapping, int index)
    {
        var ebs = mapping.Ebs;
        var path = $"blockDeviceMappings[{index}]";
        return new Core.Cloud.BlockDeviceMapping
        {
            DeviceName = mapping.DeviceName ?? throw new FormatException($"{path}.deviceName is required"),
            VolumeSizeBytes = ToBytes(ebs?.VolumeSize, $"{path}.ebs.volumeSize"),
            VolumeType = ebs?.VolumeType,
            Iops = ToInt(ebs?.Iops, $"{path}.ebs.iops"),
            Throughput = ToInt(ebs?.Throughput, $"{path}.ebs.throughput"),
            Encrypted = ebs?.Encrypted,
            DeleteOnTermination = ebs?.DeleteOnTermination,
            KmsKeyId = ebs?.KmsKeyID,
            SnapshotId = ebs?.SnapshotID,
        };
    }

    /// <summary>A Kubernetes quantity (<c>20Gi</c>, <c>100G</c>) as whole bytes, rounded up.</summary>
    private static long? ToBytes(k8s.Models.ResourceQuantity? size, string path)
    {
        if (size is null)
        {
            return null;
        }

        var text = size.ToString();
        if (!Quantity.TryParse(text, out var quantity, out var error))
        {
            throw new FormatException($"{path}: {error}");
        }

        if (quantity.Sign < 0)
        {
            throw new FormatException($"{path} must not be negative, not {text}");
        }

        return quantity.Value;
    }

    private static int? ToInt(long? value, string path) => value switch
    {
        null => null,
        < int.MinValue or > int.MaxValue => throw new FormatException($"{path} is out of range: {value}"),
        _ => (int)value.Value,
    };
}
