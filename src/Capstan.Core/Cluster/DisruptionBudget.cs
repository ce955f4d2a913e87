using Capstan.Core.Scheduling;

namespace Capstan.Core.Cluster;

/// <summary>A <c>policy/v1</c> PodDisruptionBudget: which pods it guards and how many of them may be disrupted now.</summary>
public sealed record DisruptionBudget
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>The pods (of <see cref="Namespace"/>) it guards; null (no selector) guards none, an empty one guards all.</summary>
    public LabelSelector? Selector { get; init; }

    public IntOrPercent? MinAvailable { get; init; }

    public IntOrPercent? MaxUnavailable { get; init; }

    /// <summary><c>status.disruptionsAllowed</c>: evictions the API server would allow now.</summary>
    public int DisruptionsAllowed { get; init; }

    public string Key => $"{Namespace}/{Name}";

    /// <summary>True when the budget guards a pod in <paramref name="podNamespace"/> with <paramref name="podLabels"/>.</summary>
    public bool Guards(string podNamespace, IReadOnlyDictionary<string, string> podLabels) =>
        Selector is not null && string.Equals(podNamespace, Namespace, StringComparison.Ordinal) && Selector.Matches(podLabels);

    public override string ToString() => Key;
}
