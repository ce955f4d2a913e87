namespace Capstan.Core.Resources;

/// <summary>The resource names Capstan reasons about by name.</summary>
public static class ResourceNames
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string Pods = "pods";
    public const string NvidiaGpu = "nvidia.com/gpu";
    public const string AmdGpu = "amd.com/gpu";
    public const string AwsNeuron = "aws.amazon.com/neuron";
    public const string AwsNeuronCore = "aws.amazon.com/neuroncore";
    public const string Efa = "vpc.amazonaws.com/efa";
    public const string PodEni = "vpc.amazonaws.com/pod-eni";

    /// <summary>True for resources measured in bytes, which print with binary suffixes.</summary>
    public static bool IsByteResource(string name) =>
        name is Memory or EphemeralStorage || name.StartsWith("hugepages-", StringComparison.Ordinal);

    /// <summary>Formats a quantity the way Kubernetes users read it for this resource.</summary>
    public static string Format(string name, Quantity quantity) =>
        IsByteResource(name) ? quantity.ToBinaryString() : quantity.ToString();

    /// <summary>
    /// Formats a quantity for a person to read: bytes in the largest binary unit they reach (<c>13.0Gi</c>, not
    /// <c>13671875Ki</c>), everything else in decimal form (<c>1500m</c>, <c>8</c>). Not for writing back to Kubernetes.
    /// </summary>
    public static string FormatReadable(string name, Quantity quantity) =>
        IsByteResource(name) ? quantity.ToReadableBytes() : quantity.ToDecimalString();
}
