using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>A provisioner prepared for one packing run: its node requirements, allowed types, daemon overhead and limits.</summary>
internal sealed class ProvisionerModel
{
    public required int Index { get; init; }

    public required Provisioner Provisioner { get; init; }

    public required Requirements NodeRequirements { get; init; }

    /// <summary>Global type indices this provisioner may launch (requirements allow them and an offering is available), ascending.</summary>
    public required int[] Types { get; init; }

    /// <summary>Daemonset overhead per global type index (null where the type is not allowed).</summary>
    public required long[]?[] Overhead { get; init; }

    /// <summary>Resource names the provisioner limits, and what remains of each (null: unlimited).</summary>
    public required string[] LimitNames { get; init; }

    public required long[]? LimitRemaining { get; init; }

    /// <summary>Capacity of each type in the limited resources (indexed like <see cref="LimitNames"/>).</summary>
    public required long[]?[] LimitCapacity { get; init; }

    public string Name => Provisioner.Name;
}
