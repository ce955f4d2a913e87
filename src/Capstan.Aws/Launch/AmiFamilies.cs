namespace Capstan.Aws.Launch;

/// <summary>The AMI families a node template may name, and what each one launches with by default.</summary>
public static class AmiFamilies
{
    public const string AL2 = "AL2";
    public const string Bottlerocket = "Bottlerocket";
    public const string Ubuntu = "Ubuntu";
    public const string Custom = "Custom";

    private const long GiB = 1024L * 1024 * 1024;

    /// <summary>The family's canonical name (case-insensitive match; null or empty means AL2).</summary>
    public static string Normalize(string? family) => family?.Trim() switch
    {
        null or "" => AL2,
        var f when f.Equals(AL2, StringComparison.OrdinalIgnoreCase) => AL2,
        var f when f.Equals(Bottlerocket, StringComparison.OrdinalIgnoreCase) => Bottlerocket,
        var f when f.Equals(Ubuntu, StringComparison.OrdinalIgnoreCase) => Ubuntu,
        var f when f.Equals(Custom, StringComparison.OrdinalIgnoreCase) => Custom,
        var f => f,
    };

    /// <summary>
    /// The volumes a node gets when the template names none (KARPENTER-COMPAT 1.4): 20Gi gp3 encrypted on the
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
