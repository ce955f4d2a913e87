using Amazon.EC2;
using Amazon.SimpleSystemsManagement;
using Capstan.Aws.AutoScaling;
using Capstan.Aws.Clients;
using Capstan.Aws.Discovery;
using Capstan.Aws.Doctor;
using Capstan.Aws.Instances;
using Capstan.Aws.Interruption;
using Capstan.Aws.Launch;
using Capstan.Aws.Offerings;
using Capstan.Aws.Pricing;
using Capstan.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capstan.Aws;

/// <summary>Registers the AWS adapter. The host binds <see cref="AwsOptions"/>; everything here reads them.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The AWS cloud provider and its parts, each once, sharing one EC2 client: the client factory (endpoint overrides
    /// from the environment), the Polly pipelines, the unavailable-offerings cache, the template resolver, the
    /// instance-type provider with its prices, the fleet launcher, the instance repository, the interruption queue
    /// reader (which says so in words when asked to read with no <see cref="AwsOptions.InterruptionQueue"/>), the Auto Scaling node-group provider and the doctor. <c>TryAdd</c> throughout, so
    /// tests and the sandbox can register their own first.
    /// </summary>
    public static IServiceCollection AddCapstanAws(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AwsOptions>>().Value);
        services.TryAddSingleton(AwsEndpoints.FromEnvironment());
        services.TryAddSingleton(sp => new AwsClientFactory(sp.GetRequiredService<AwsOptions>(), sp.GetRequiredService<AwsEndpoints>()));
        services.TryAddSingleton(sp => new AwsPipelines(sp.GetRequiredService<AwsOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new UnavailableOfferings(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IAmazonEC2>(sp => sp.GetRequiredService<AwsClientFactory>().CreateEc2());
        services.TryAddSingleton<IAmazonSimpleSystemsManagement>(sp => sp.GetRequiredService<AwsClientFactory>().CreateSsm());
        services.TryAddSingleton(sp => new TemplateResolver(
            sp.GetRequiredService<IAmazonEC2>(), sp.GetRequiredService<IAmazonSimpleSystemsManagement>(), sp.GetRequiredService<AwsPipelines>(),
            sp.GetRequiredService<AwsOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TemplateResolver>>()));
        services.TryAddSingleton(sp => new SpotPrices(
            sp.GetRequiredService<IAmazonEC2>(), sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SpotPrices>>()));
        services.TryAddSingleton(sp => new PricingClient(sp.GetRequiredService<AwsClientFactory>(), sp.GetRequiredService<AwsOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new OnDemandPrices(
            sp.GetRequiredService<PricingClient>(), sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<AwsClientFactory>().Region,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OnDemandPrices>>()));
        services.TryAddSingleton(sp => new InstanceTypeProvider(
            sp.GetRequiredService<IAmazonEC2>(), sp.GetRequiredService<TemplateResolver>(), sp.GetRequiredService<SpotPrices>(), sp.GetRequiredService<OnDemandPrices>(),
            sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<AwsOptions>(), sp.GetRequiredService<UnavailableOfferings>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<InstanceTypeProvider>>()));
        services.TryAddSingleton(sp => new FleetLauncher(
            sp.GetRequiredService<IAmazonEC2>(), sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<AwsOptions>(),
            sp.GetRequiredService<UnavailableOfferings>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FleetLauncher>>()));
        services.TryAddSingleton(sp => new InstanceRepository(
            sp.GetRequiredService<IAmazonEC2>(), sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<AwsOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<InstanceRepository>>()));
        services.TryAddSingleton<CloudProviderMetrics>();
        services.TryAddSingleton<AwsCloudProvider>();
        services.TryAddSingleton<ICloudProvider>(sp => sp.GetRequiredService<AwsCloudProvider>());
        services.TryAddSingleton(sp => new AutoScalingClient(sp.GetRequiredService<AwsClientFactory>(), sp.GetRequiredService<AwsOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new GroupTypeResolver(
            sp.GetRequiredService<AutoScalingClient>(), sp.GetRequiredService<IAmazonEC2>(), sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new AwsNodeGroupProvider(
            sp.GetRequiredService<AutoScalingClient>(), sp.GetRequiredService<GroupTypeResolver>(), sp.GetRequiredService<InstanceTypeProvider>(),
            sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<AwsOptions>(), sp.GetRequiredService<ILogger<AwsNodeGroupProvider>>()));
        services.TryAddSingleton<INodeGroupProvider>(sp => sp.GetRequiredService<AwsNodeGroupProvider>());
        services.TryAddSingleton(sp => new NodeGroupDoctor(sp.GetRequiredService<INodeGroupProvider>()));
        services.TryAddSingleton(sp => new AwsDoctor(
            sp.GetRequiredService<AwsClientFactory>(), sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<AwsOptions>(),
            sp.GetRequiredService<TemplateResolver>(), sp.GetRequiredService<InstanceTypeProvider>()));
        services.TryAddSingleton<IInterruptionSource>(sp => new SqsInterruptionSource(
            sp.GetRequiredService<AwsClientFactory>(), sp.GetRequiredService<AwsPipelines>(), sp.GetRequiredService<AwsOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SqsInterruptionSource>>()));
        return services;
    }
}
