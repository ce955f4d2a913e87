namespace Capstan.Aws.Discovery;

/// <summary>
/// The AMI families Capstan launches and where their EKS-optimised images are published: the public SSM parameters
/// of each (architecture, GPU variant) for a Kubernetes version, keyed as <see cref="ResolvedTemplate.Amis"/> is.
/// </summary>
public static class AmiFamilies
{
    private const long GiB = 1024L * 1024 * 1024;

    public const string AL2 = "AL2";
    public const string Bottlerocket = "Bottlerocket";
    public const string Ubuntu = "Ubuntu";
    public const string Custom = "Custom";

    /// <summary>The family's canonical spelling (AL2 when none is named), or null for one Capstan does not know.</summary>
    public static string? Normalize(string? family)
    {
        if (string.IsNullOrWhiteSpace(family))
        {
            return AL2;
        }

        foreach (var known in new[] { AL2, Bottlerocket, Ubuntu, Custom })
        {
            if (string.Equals(known, family.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

    /// <summary>
    /// AMI key (<c>amd64</c>, <c>arm64</c>, <c>amd64-nvidia</c>, <c>arm64-nvidia</c>) to SSM parameter name, for a
    /// family and a Kubernetes version (<c>1.29</c>); empty for Custom, which has no published image.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SsmParameters(string family, string kubernetesVersion) => family switch
    {
        AL2 => new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["amd64"] = $"/aws/service/eks/optimized-ami/{kubernetesVersion}/amazon-linux-2/recommended/image_id",
            ["arm64"] = $"/aws/service/eks/optimized-ami/{kubernetesVersion}/amazon-linux-2-arm64/recommended/image_id",
            ["amd64-nvidia"] = $"/aws/service/eks/optimized-ami/{kubernetesVersion}/amazon-linux-2-gpu/recommended/image_id",
        },
        Bottlerocket => new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["amd64"] = $"/aws/service/bottlerocket/aws-k8s-{kubernetesVersion}/x86_64/latest/image_id",
            ["arm64"] = $"/aws/service/bottlerocket/aws-k8s-{kubernetesVersion}/arm64/latest/image_id",
            ["amd64-nvidia"] = $"/aws/service/bottlerocket/aws-k8s-{kubernetesVersion}-nvidia/x86_64/latest/image_id",
            ["arm64-nvidia"] = $"/aws/service/bottlerocket/aws-k8s-{kubernetesVersion}-nvidia/arm64/latest/image_id",
        },
        Ubuntu => new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["amd64"] = $"/aws/service/canonical/ubuntu/eks/20.04/{kubernetesVersion}/stable/current/amd64/hvm/ebs-gp2/ami-id",
            ["arm64"] = $"/aws/service/canonical/ubuntu/eks/20.04/{kubernetesVersion}/stable/current/arm64/hvm/ebs-gp2/ami-id",
        },
        _ => new Dictionary<string, string>(StringComparer.Ordinal),
    };

    /// <summary>EC2's architecture name as Kubernetes spells it (<c>x86_64</c> -> <c>amd64</c>), or null for others.</summary>
    public static string? KubernetesArch(string? ec2Architecture) => ec2Architecture switch
    {
        "x86_64" => "amd64",
        "arm64" => "arm64",
        _ => null,
    };

    /// <summary>
    /// The volumes a node gets when the template names none (Karpenter v0.26.1's defaults): 20Gi gp3 encrypted on the
    /// family's root device; Bottlerocket adds a 4Gi OS volume before its 20Gi data volume; Custom lets the AMI decide.
    /// </summary>
    public static IReadOnlyList<Core.Cloud.BlockDeviceMapping> DefaultBlockDevices(string family) => Normalize(family) switch
    {
        Bottlerocket => [Gp3("/dev/xvda", 4), Gp3("/dev/xvdb", 20)],
        Ubuntu => [Gp3("/dev/sda1", 20)],
        Custom => [],
        _ => [Gp3("/dev/xvda", 20)],
    };

    private static Core.Cloud.BlockDeviceMapping Gp3(string device, long sizeGiB) =>
        new() { DeviceName = device, VolumeSizeBytes = sizeGiB * GiB, VolumeType = "gp3", Encrypted = true };
}
