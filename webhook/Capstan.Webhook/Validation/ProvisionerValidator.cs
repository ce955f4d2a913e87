using Capstan.Kubernetes.Crds;
using FluentValidation;

namespace Capstan.Webhook.Validation;

/// <summary>A whole <c>karpenter.sh/v1alpha5</c> Provisioner: metadata, then spec (Karpenter v0.26.1's Provisioner, AWS provider and label rules).</summary>
public sealed class ProvisionerValidator : AbstractValidator<V1Alpha5Provisioner>
{
    public ProvisionerValidator()
    {
        RuleFor(p => p.Metadata).SetValidator(new ObjectMetaValidator()).OverridePropertyName("");
        RuleFor(p => p.Spec).NotNull().WithMessage("is required").OverridePropertyName("spec");
        RuleFor(p => p.Spec).SetValidator(new ProvisionerSpecValidator()).When(p => p.Spec is not null).OverridePropertyName("spec");
    }
}
