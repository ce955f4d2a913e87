using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Kubernetes.Crds;
using FluentValidation;
using k8s.Models;

namespace Capstan.Webhook.Validation;

/// <summary>
/// <c>spec</c> of a v1alpha5 Provisioner: every rule of Karpenter v0.26.1's Provisioner validation plus, when the
/// v0.5-era inline <c>provider</c> is used, strict decoding and the AWS rules of 1.6.
/// </summary>
public sealed class ProvisionerSpecValidator : AbstractValidator<ProvisionerSpec>
{
    private static readonly string[] s_effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public ProvisionerSpecValidator()
    {
        RuleFor(s => s.TtlSecondsUntilExpired).GreaterThanOrEqualTo(0).OverridePropertyName("ttlSecondsUntilExpired")
            .WithMessage("must not be negative (got {PropertyValue})");
        RuleFor(s => s.TtlSecondsAfterEmpty).GreaterThanOrEqualTo(0).OverridePropertyName("ttlSecondsAfterEmpty")
            .WithMessage("must not be negative (got {PropertyValue})");
        RuleFor(s => s.TtlSecondsAfterEmpty).Null().When(s => s.Consolidation?.Enabled == true).OverridePropertyName("ttlSecondsAfterEmpty")
            .WithMessage("expected exactly one of ttlSecondsAfterEmpty and consolidation.enabled: true; remove one of them");
        RuleFor(s => s.Weight).InclusiveBetween(1, 100).OverridePropertyName("weight").WithMessage("must be between 1 and 100 (got {PropertyValue})");
        RuleFor(s => s).Custom((spec, context) =>
        {
            if (spec.Provider is not null && spec.ProviderRef is not null)
            {
                context.AddFailure("provider", "expected exactly one of provider and providerRef, got both; keep providerRef");
            }
            else if (spec.Provider is null && spec.ProviderRef is null)
            {
                context.AddFailure("providerRef", "expected exactly one of provider and providerRef, got neither; reference an AWSNodeTemplate with providerRef.name");
            }
        });
        RuleFor(s => s.ProviderRef!.Name).NotEmpty().When(s => s.ProviderRef is not null).OverridePropertyName("providerRef.name")
            .WithMessage("is required: the name of an AWSNodeTemplate");
        RuleFor(s => s.Labels).Custom(ValidateLabels);
        RuleFor(s => s).Custom(ValidateTaints);
        RuleForEach(s => s.Requirements).SetValidator(new RequirementValidator()).OverridePropertyName("requirements");
        RuleFor(s => s.KubeletConfiguration!).SetValidator(new KubeletConfigurationValidator()).When(s => s.KubeletConfiguration is not null)
            .OverridePropertyName("kubeletConfiguration");
        RuleFor(s => s.Limits).Custom((limits, context) =>
        {
            foreach (var (name, value) in limits?.Resources ?? [])
            {
                var text = value?.ToString();
                if (!Quantity.TryParse(text, out var quantity, out var error))
                {
                    context.AddFailure($"limits.resources[\"{name}\"]", $"\"{text}\" is not a quantity: {error}");
                }
                else if (quantity.Sign < 0)
                {
                    context.AddFailure($"limits.resources[\"{name}\"]", $"must not be negative (got {quantity})");
                }
            }
        });
        RuleFor(s => s.Provider).Custom((provider, context) =>
        {
            if (provider is null)
            {
                return;
            }

            var decoded = InlineProviderDecoder.Decode(provider, out var errors);
            foreach (var (path, message) in errors)
            {
                context.AddFailure("provider" + path, message);
            }

            if (decoded is not null)
            {
                foreach (var failure in AwsProviderValidator.Inline.Validate(decoded).Errors)
                {
                    context.AddFailure("provider." + failure.PropertyName, failure.ErrorMessage);
                }
            }
        });
    }

    private static void ValidateLabels(Dictionary<string, string>? labels, ValidationContext<ProvisionerSpec> context)
    {
        foreach (var (key, value) in labels ?? [])
        {
            var path = $"labels[\"{key}\"]";
            if (key == Labels.ProvisionerName)
            {
                context.AddFailure(path, $"{Labels.ProvisionerName} is set by Capstan on every node; remove this label");
                continue;
            }

            if (KubernetesNames.QualifiedName(key) is { } keyError)
            {
                context.AddFailure(path, $"key \"{key}\" is not a qualified name: {keyError}");
            }
            else if (Labels.IsRestrictedLabel(key))
            {
                context.AddFailure(path, $"key \"{key}\" is in a restricted label domain; use a well-known label or your own domain");
            }

            if (KubernetesNames.LabelValue(value) is { } valueError)
            {
                context.AddFailure(path, $"value \"{value}\" is not a valid label value: {valueError}");
            }
        }
    }

    private static void ValidateTaints(ProvisionerSpec spec, ValidationContext<ProvisionerSpec> context)
    {
        var seen = new Dictionary<(string, string), string>();
        Check(spec.Taints, "taints");
        Check(spec.StartupTaints, "startupTaints");

        void Check(List<V1Taint>? taints, string field)
        {
            for (var i = 0; i < (taints?.Count ?? 0); i++)
            {
                var taint = taints![i];
                var path = $"{field}[{i}]";
                if (string.IsNullOrEmpty(taint.Key))
                {
                    context.AddFailure(path + ".key", "is required");
                }
                else if (KubernetesNames.QualifiedName(taint.Key) is { } keyError)
                {
                    context.AddFailure(path + ".key", $"\"{taint.Key}\" is not a qualified name: {keyError}");
                }

                if (!string.IsNullOrEmpty(taint.Value) && KubernetesNames.QualifiedName(taint.Value) is { } valueError)
                {
                    context.AddFailure(path + ".value", $"\"{taint.Value}\" is not a qualified name: {valueError}");
                }

                if (!string.IsNullOrEmpty(taint.Effect) && !s_effects.Contains(taint.Effect, StringComparer.Ordinal))
                {
                    context.AddFailure(path + ".effect", $"\"{taint.Effect}\" is not a taint effect; use one of {string.Join(", ", s_effects)}");
                }

                var id = (taint.Key ?? "", taint.Effect ?? "");
                if (seen.TryGetValue(id, out var first))
                {
                    context.AddFailure(path, $"duplicates {first}: key {taint.Key} with effect {(taint.Effect is { Length: > 0 } e ? e : "(empty)")} may appear once across taints and startupTaints");
                }
                else
                {
                    seen[id] = path;
                }
            }
        }
    }
}
