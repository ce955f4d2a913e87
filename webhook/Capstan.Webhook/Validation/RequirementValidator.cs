using System.Globalization;
using Capstan.Core.Scheduling;
using FluentValidation;
using FluentValidation.Results;
using k8s.Models;

namespace Capstan.Webhook.Validation;

/// <summary>
/// One <c>spec.requirements</c> entry (Karpenter v0.26.1's Provisioner validation): not the provisioner-name key; then, on the
/// normalised key, a known operator, not a restricted key, a qualified name, valid values, In with at least one
/// value, Gt/Lt with exactly one non-negative integer. Each failure names the requirement by its index and its key:
/// <c>spec.requirements[0] (karpenter.k8s.aws/instance-generation): operator Gt needs a single positive integer</c>.
/// </summary>
public sealed class RequirementValidator : AbstractValidator<V1NodeSelectorRequirement>
{
    private static readonly string[] s_operators = ["In", "NotIn", "Gt", "Lt", "Exists", "DoesNotExist"];

    public RequirementValidator()
    {
        RuleFor(r => r).Custom((requirement, context) =>
        {
            var key = requirement.Key ?? "";
            if (key == Labels.ProvisionerName)
            {
                context.AddFailure("key", $"{Labels.ProvisionerName} is set by Capstan and cannot be required; remove this requirement");
                return;
            }

            // The requirement's path (spec.requirements[0]) followed by the field, then its key in parentheses.
            void Fail(string field, string message) =>
                context.AddFailure(new ValidationFailure($"{context.PropertyPath}{field} ({key})", message) { AttemptedValue = requirement });

            var normalized = Labels.Normalize(key);
            var op = requirement.OperatorProperty;
            if (!s_operators.Contains(op, StringComparer.Ordinal))
            {
                Fail(".operator", $"\"{op}\" is not a supported operator; use one of {string.Join(", ", s_operators)}");
            }

            if (Labels.IsRestrictedLabel(normalized))
            {
                context.AddFailure("key", $"\"{key}\" is in a restricted label domain; use a well-known label or your own domain");
            }
            else if (KubernetesNames.QualifiedName(normalized) is { } keyError)
            {
                context.AddFailure("key", $"\"{key}\" is not a qualified name: {keyError}");
            }

            var values = requirement.Values ?? [];
            for (var i = 0; i < values.Count; i++)
            {
                if (KubernetesNames.LabelValue(values[i]) is { } valueError)
                {
                    Fail($".values[{i}]", $"\"{values[i]}\" is not a valid label value: {valueError}");
                }
            }

            if (op == "In" && values.Count == 0)
            {
                Fail("", "operator In needs at least one value");
            }

            if (op is "Gt" or "Lt" && (values.Count != 1 || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                Fail("", $"operator {op} needs a single positive integer");
            }
        });
    }
}
