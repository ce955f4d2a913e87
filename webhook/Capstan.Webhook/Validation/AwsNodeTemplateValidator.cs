using Capstan.Kubernetes.Crds;
using FluentValidation;

namespace Capstan.Webhook.Validation;

/// <summary>A whole <c>karpenter.k8s.aws/v1alpha1</c> AWSNodeTemplate: metadata, then the AWS rules (Karpenter v0.26.1's AWS provider validation).</summary>
public sealed class AwsNodeTemplateValidator : AbstractValidator<V1Alpha1AwsNodeTemplate>
{
    public AwsNodeTemplateValidator()
    {
        RuleFor(t => t.Metadata).SetValidator(new ObjectMetaValidator()).OverridePropertyName("");
        RuleFor(t => t.Spec).NotNull().WithMessage("is required").OverridePropertyName("spec");
        RuleFor(t => (AwsProviderSpec)t.Spec).SetValidator(AwsProviderValidator.NodeTemplate).When(t => t.Spec is not null).OverridePropertyName("spec");
    }
}
