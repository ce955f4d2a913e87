using Capstan.Controllers;
using Capstan.Controllers.Disruption;
using Capstan.Controllers.Nodes;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Ports;
using Capstan.Kubernetes.LeaderElection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Controllers;

/// <summary>
/// The controllers' composition: options (<c>Capstan:Provisioning</c>, <c>Capstan:Nodes</c>, validated at start), the
/// batcher and the extender's fast-path trigger into it (replacing the extender's no-op), the provisioning, node
/// lifecycle, provisioner status, disruption, termination and garbage collection controllers (and the interruption
/// controller when an interruption queue is configured), and the hosted service that runs them on the leader.
/// </summary>
internal static class ControllerServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProvisioningOptions>().BindConfiguration(ProvisioningOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProvisioningOptions>, ProvisioningOptionsValidator>());
        services.AddOptions<NodeLifecycleOptions>().BindConfiguration(NodeLifecycleOptions.SectionName);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ProvisioningOptions>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<NodeLifecycleOptions>>().Value);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ProvisioningOptions>();
            return new ProvisioningBatcher(sp.GetRequiredService<TimeProvider>(), options.BatchIdleDuration, options.BatchMaxDuration);
        });
        services.TryAddSingleton<ProvisioningTrigger>();
        services.TryAddSingleton<IProvisioningTrigger>(sp => sp.GetRequiredService<ProvisioningTrigger>());
        services.TryAddSingleton<InstanceTypeSource>();
        services.TryAddSingleton<InFlightNodes>();
        services.TryAddSingleton<ProvisioningMetrics>();
        services.TryAddSingleton(sp => new ProvisioningController(
            sp.GetRequiredService<IClusterState>(),
            sp.GetRequiredService<IClusterWriter>(),
            sp.GetRequiredService<ICloudProvider>(),
            sp.GetRequiredService<IPlacementLedger>(),
            sp.GetRequiredService<ProvisioningBatcher>(),
            sp.GetRequiredService<ProvisioningTrigger>(),
            sp.GetRequiredService<InstanceTypeSource>(),
            sp.GetRequiredService<InFlightNodes>(),
            sp.GetRequiredService<ProvisioningOptions>(),
            sp.GetRequiredService<ProvisioningMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ProvisioningController>>()));
        services.AddSingleton<IController>(sp => sp.GetRequiredService<ProvisioningController>());
        services.AddSingleton<IController, NodeLifecycleController>();
        services.AddSingleton<IController, ProvisionerStatusController>();
        services.AddOptions<DisruptionOptions>().BindConfiguration(DisruptionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DisruptionOptions>, DisruptionOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<DisruptionOptions>>().Value);
        services.TryAddSingleton<DisruptionMetrics>();
        services.AddSingleton<IController, DisruptionController>();
        services.AddSingleton<IController, TerminationController>();
        services.AddOptions<GarbageCollectionOptions>().BindConfiguration(GarbageCollectionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GarbageCollectionOptions>, GarbageCollectionOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<GarbageCollectionOptions>>().Value);
        services.AddSingleton<IController, GarbageCollectionController>();
        if (!string.IsNullOrWhiteSpace(configuration[$"{Aws.AwsOptions.SectionName}:InterruptionQueue"]))
        {
            // Only with a queue to read: without one there are no interruption messages to act on.
            services.AddSingleton<IController, InterruptionController>();
        }
        services.TryAddSingleton<ControllerManager>();
        services.AddOptions<LeaderElectionOptions>().BindConfiguration(LeaderElectionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LeaderElectionOptions>, LeaderElectionOptionsValidator>());
        services.TryAddSingleton(sp => new LeaseLeaderElector(
            sp.GetRequiredService<k8s.IKubernetes>(),
            sp.GetRequiredService<IOptions<LeaderElectionOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LeaseLeaderElector>>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService<ControllersHostedService>();
    }
}
