using Capstan.Core.Scheduling;

namespace Capstan.Core.Provisioning;

/// <summary>
/// The v0.26.1 AWS defaults for a Provisioner's requirements: os linux,
/// arch amd64, capacity-type on-demand, and c/m/r of generation above 2 when nothing names an
/// instance type, family, category or generation. Only <c>requirements</c> is looked at, not labels.
/// </summary>
public static class ProvisionerDefaults
{
    private static readonly string[] s_instanceSelectors =
    [
        Labels.InstanceType, Labels.InstanceFamily, Labels.InstanceCategory, Labels.InstanceGeneration,
    ];

    /// <summary>The requirements to append, in the order Karpenter appends them; empty when none are missing.</summary>
    public static IReadOnlyList<Requirement> Missing(IEnumerable<string> requirementKeys)
    {
        var keys = requirementKeys.Select(Labels.Normalize).ToHashSet(StringComparer.Ordinal);
        var missing = new List<Requirement>();
        if (!keys.Contains(Labels.Os))
        {
            missing.Add(Requirement.In(Labels.Os, "linux"));
        }

        if (!keys.Contains(Labels.Arch))
        {
            missing.Add(Requirement.In(Labels.Arch, "amd64"));
        }

        if (!keys.Contains(Labels.CapacityType))
        {
            missing.Add(Requirement.In(Labels.CapacityType, Labels.CapacityTypeOnDemand));
        }

        if (!s_instanceSelectors.Any(keys.Contains))
        {
            missing.Add(Requirement.In(Labels.InstanceCategory, "c", "m", "r"));
            missing.Add(Requirement.Gt(Labels.InstanceGeneration, 2));
        }

        return missing;
    }

    public static Provisioner Apply(Provisioner provisioner)
    {
        var missing = Missing(provisioner.Requirements.Keys);
        return missing.Count == 0
            ? provisioner
            : provisioner with { Requirements = provisioner.Requirements.Intersect(Requirements.Create(missing)) };
    }
}
