using Capstan.Core.Cluster;
using k8s.Models;

namespace Capstan.Kubernetes.Conversions;

/// <summary>Turns a <c>policy/v1</c> PodDisruptionBudget into the <see cref="DisruptionBudget"/> of Core.</summary>
public static class DisruptionBudgetConversions
{
    public static DisruptionBudget ToDisruptionBudget(V1PodDisruptionBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var metadata = budget.Metadata ?? new V1ObjectMeta();
        var selector = budget.Spec?.Selector;
        return new DisruptionBudget
        {
            Namespace = string.IsNullOrEmpty(metadata.NamespaceProperty) ? "default" : metadata.NamespaceProperty,
            Name = metadata.Name ?? "",
            Selector = selector is null ? null : SelectorConversions.ToLabelSelector(selector),
            MinAvailable = ToIntOrPercent(budget.Spec?.MinAvailable),
            MaxUnavailable = ToIntOrPercent(budget.Spec?.MaxUnavailable),
            DisruptionsAllowed = budget.Status?.DisruptionsAllowed ?? 0,
        };
    }

    private static IntOrPercent? ToIntOrPercent(IntOrString? value) =>
        value?.Value is { Length: > 0 } text ? IntOrPercent.Parse(text) : null;
}
