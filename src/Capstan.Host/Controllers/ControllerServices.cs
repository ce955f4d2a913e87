using Capstan.Controllers;
using Capstan.Controllers.Disruption;
using Capstan.Controllers.NodeGroups;
using Capstan.Controllers.Nodes;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Ports;
using Capstan.Kubernetes.NodeGroups;
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
            sp.GetRequiredService<ILogger<ProvisioningController>>(),
            nodeGroups: NodeGroupsEnabled(sp) ? sp.GetRequiredService<NodeGroupScaler>() : null));
        services.AddSingleton<IController>(sp => sp.GetRequiredService<ProvisioningController>());
        services.AddSingleton<IController, NodeLifecycleController>();
        services.AddSingleton<IController, ProvisionerStatusController>();
        services.AddOptions<DisruptionOptions>().BindConfiguration(DisruptionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DisruptionOptions>, DisruptionOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<DisruptionOptions>>().Value);
        services.TryAddSingleton<DisruptionMetrics>();
        services.AddSingleton<IController, DisruptionController>();
        services.AddSingleton<IController>(sp => ActivatorUtilities.CreateInstance<TerminationController>(sp,
            [.. NodeGroupsEnabled(sp) ? new object[] { sp.GetRequiredService<NodeGroupRegistry>() } : []]));
        AddNodeGroups(services, configuration);
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

    /// <summary>
    /// Node groups (<c>Capstan:NodeGroups</c>): the registry, the scale-up side of the provisioning pass, the refresh
    /// loop and the scale-down controller, only built when enabled (they need the cloud's Auto Scaling client).
    /// </summary>
    private static void AddNodeGroups(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeGroupOptions>().BindConfiguration(NodeGroupOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NodeGroupOptions>, NodeGroupOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<NodeGroupOptions>>().Value);
        services.TryAddSingleton<NodeGroupRegistry>();
        services.TryAddSingleton<NodeGroupMetrics>();
        services.TryAddSingleton<IExpanderPriorities>(sp => new ConfigMapExpanderPriorities(
            sp.GetRequiredService<k8s.IKubernetes>(),
            sp.GetRequiredService<NodeGroupOptions>().PriorityConfigMapNamespace,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ConfigMapExpanderPriorities>>()));
        services.TryAddSingleton<NodeGroupScaler>();
        if (configuration.GetValue<bool>($"{NodeGroupOptions.SectionName}:Enabled"))
        {
            services.AddSingleton<IController, NodeGroupController>();
            services.AddSingleton<IController, NodeGroupScaleDownController>();
        }
    }

    private static bool NodeGroupsEnabled(IServiceProvider services) => services.GetRequiredService<NodeGroupOptions>().Enabled;
}
