using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Status;

/// <summary>
/// The status page's services: options, the decision feed (a logging provider, so production and sandbox both get the
/// controllers' lines), the timeline and its sampler, and the snapshot builder. Added after the command's own
/// configuration, so a host that replaces the console providers keeps the feed.
/// </summary>
public static class StatusServices
{
    public static void Add(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StatusOptions>().BindConfiguration(StatusOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatusOptions>, StatusOptionsValidator>());
        services.TryAddSingleton<DecisionLog>();
        services.TryAddSingleton<StatusTimeline>();
        services.TryAddSingleton<StatusSnapshotBuilder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, DecisionLoggerProvider>());
        // Its own rule, so a quieter console (Logging:LogLevel:Default=Warning) does not empty the page's decisions.
        builder.Logging.AddFilter<DecisionLoggerProvider>("Capstan", LogLevel.Information);
        services.AddHostedService<StatusSampler>();
    }
}
