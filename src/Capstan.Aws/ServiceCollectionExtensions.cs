using Capstan.Aws.Clients;
using Capstan.Aws.Offerings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Capstan.Aws;

/// <summary>Registers the AWS adapter. The host binds <see cref="AwsOptions"/>; everything here reads them.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The SDK client factory (endpoint overrides from the environment), the Polly pipelines and the
    /// unavailable-offerings cache, each once; <c>TryAdd</c> so tests and the sandbox can register their own first.
    /// </summary>
    public static IServiceCollection AddCapstanAws(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.TryAddSingleton(AwsEndpoints.FromEnvironment());
        services.TryAddSingleton(sp => new AwsClientFactory(sp.GetRequiredService<IOptions<AwsOptions>>().Value, sp.GetRequiredService<AwsEndpoints>()));
        services.TryAddSingleton(sp => new AwsPipelines(sp.GetRequiredService<IOptions<AwsOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new UnavailableOfferings(sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
