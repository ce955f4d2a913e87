using FluentValidation;
using k8s.Models;

namespace Capstan.Webhook.Validation;

/// <summary>
/// knative's <c>ValidateObjectMetadata</c>, which v1alpha5 runs first (Karpenter v0.26.1's Provisioner validation): a name or a
/// generateName, the name a DNS-1035 label and generateName a DNS-1035 prefix.
/// </summary>
public sealed class ObjectMetaValidator : AbstractValidator<V1ObjectMeta>
{
    public ObjectMetaValidator()
    {
        RuleFor(m => m).Custom((meta, context) =>
        {
            if (string.IsNullOrEmpty(meta.Name) && string.IsNullOrEmpty(meta.GenerateName))
            {
                context.AddFailure("metadata.name", "name or generateName is required");
            }

            if (!string.IsNullOrEmpty(meta.Name) && KubernetesNames.Dns1035(meta.Name) is { } nameError)
            {
                context.AddFailure("metadata.name", $"\"{meta.Name}\" {nameError}");
            }

            if (!string.IsNullOrEmpty(meta.GenerateName) && KubernetesNames.Dns1035(meta.GenerateName, prefix: true) is { } prefixError)
            {
                context.AddFailure("metadata.generateName", $"\"{meta.GenerateName}\" {prefixError}");
            }
        });
    }
}
