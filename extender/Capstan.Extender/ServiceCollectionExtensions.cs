using Capstan.Core.Placement;
using Capstan.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Capstan.Extender;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the extender: options (<c>Capstan:Extender</c>, validated at start), the placement ledger (<see cref="IPlacementLedger"/>, shared with the controllers),
    /// the handlers' service, its metrics (<see cref="ExtenderMetrics"/>) and a no-op <see cref="IProvisioningTrigger"/>. Everything is added with
    /// <c>TryAdd</c>, so a host or a test can register its own first. <see cref="IClusterState"/> and
    /// <see cref="IClusterWriter"/> come from the adapter the host chose (Kubernetes or sandbox).
    /// </summary>
    public static IServiceCollection AddCapstanExtender(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ExtenderOptions>()
            .BindConfiguration(ExtenderOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.ClientCaFile))
                {
                    options.ClientCaFile = configuration[ExtenderOptions.TlsClientCaKey];
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExtenderOptions>, ExtenderOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IProvisioningTrigger, NoopProvisioningTrigger>();
        services.TryAddSingleton<IPlacementLedger>(sp => new PlacementLedger(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<ExtenderOptions>>().Value.LedgerEntryTtl));
        services.TryAddSingleton<RecentPods>();
        services.AddMetrics();
        services.TryAddSingleton<ExtenderMetrics>();
        services.TryAddSingleton<ExtenderService>();
        services.TryAddSingleton<ExtenderRequestHandler>();
        services.TryAddSingleton<ClientCertificateFilter>();
        return services;
    }
}
