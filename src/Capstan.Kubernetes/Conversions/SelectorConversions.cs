using Capstan.Core.Scheduling;
using k8s.Models;

namespace Capstan.Kubernetes.Conversions;

/// <summary>Node selector terms, label selectors, taints and tolerations into Core types.</summary>
public static class SelectorConversions
{
    public static RequirementOperator ParseOperator(string? op) => op switch
    {
        "In" => RequirementOperator.In,
        "NotIn" => RequirementOperator.NotIn,
        "Exists" => RequirementOperator.Exists,
        "DoesNotExist" => RequirementOperator.DoesNotExist,
        "Gt" => RequirementOperator.Gt,
        "Lt" => RequirementOperator.Lt,
        _ => throw new FormatException($"unsupported operator '{op}'"),
    };

    public static Requirement ToRequirement(V1NodeSelectorRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        return Requirement.Create(requirement.Key, ParseOperator(requirement.OperatorProperty), requirement.Values ?? []);
    }

    public static Requirements ToRequirements(IEnumerable<V1NodeSelectorRequirement>? requirements) =>
        requirements is null ? Requirements.Empty : Requirements.Create(requirements.Select(ToRequirement));

    public static Requirements ToRequirements(V1NodeSelectorTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        return ToRequirements(term.MatchExpressions);
    }

    public static LabelSelector ToLabelSelector(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return LabelSelector.Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            requirements.Add(Requirement.In(key, value));
        }

        foreach (var e in selector.MatchExpressions ?? [])
        {
            // Pod label selectors know In, NotIn, Exists and DoesNotExist; keys are not node labels, so no normalisation.
            var op = ParseOperator(e.OperatorProperty);
            requirements.Add(op switch
            {
                RequirementOperator.In or RequirementOperator.NotIn or RequirementOperator.Exists or RequirementOperator.DoesNotExist
                    => Requirement.Create(e.Key, op, e.Values ?? []),
                _ => throw new FormatException($"label selector operator '{e.OperatorProperty}' is not valid"),
            });
        }

        return new LabelSelector(Requirements.Create(requirements));
    }

    public static Taint ToTaint(V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        if (!Taint.TryParseEffect(taint.Effect, out var effect))
        {
            throw new FormatException($"taint {taint.Key} has an unknown effect '{taint.Effect}'");
        }

        return new Taint(taint.Key ?? "", taint.Value ?? "", effect);
    }

    public static IReadOnlyList<Taint> ToTaints(IEnumerable<V1Taint>? taints) => taints?.Select(ToTaint).ToList() ?? [];

    public static Toleration ToToleration(V1Toleration toleration)
    {
        ArgumentNullException.ThrowIfNull(toleration);
        if (!Taint.TryParseEffect(toleration.Effect, out var effect))
        {
            throw new FormatException($"toleration {toleration.Key} has an unknown effect '{toleration.Effect}'");
        }

        var op = toleration.OperatorProperty switch
        {
            null or "" or "Equal" => TolerationOperator.Equal,
            "Exists" => TolerationOperator.Exists,
            _ => throw new FormatException($"toleration operator '{toleration.OperatorProperty}' is not valid"),
        };
        return new Toleration(toleration.Key ?? "", op, toleration.Value ?? "", effect);
    }
}
