using Capstan.Webhook.Validation;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Capstan.Webhook;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the validators (stateless, so singletons) and the <see cref="AdmissionReviewer"/>.</summary>
    public static IServiceCollection AddCapstanWebhook(this IServiceCollection services)
    {
        services.TryAddSingleton<IValidator<Kubernetes.Crds.V1Alpha5Provisioner>, ProvisionerValidator>();
        services.TryAddSingleton<IValidator<Kubernetes.Crds.V1Alpha1AwsNodeTemplate>, AwsNodeTemplateValidator>();
        services.TryAddSingleton<AdmissionReviewer>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
