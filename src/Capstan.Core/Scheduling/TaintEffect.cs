namespace Capstan.Core.Scheduling;

/// <summary>Taint effects. <see cref="None"/> stands for the empty effect a toleration may carry (matches all).</summary>
public enum TaintEffect
{
    None,
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}
