using System.Net;
using System.Security.Authentication;
using Capstan.Aws;
using Capstan.Aws.Catalog;
using Capstan.Core.Ports;
using Capstan.Extender;
using Capstan.Host.Cluster;
using Capstan.Host.Options;
using Capstan.Host.Status;
using Capstan.Host.Telemetry;
using Capstan.Host.Tls;
using Capstan.Kubernetes.Cluster;
using Capstan.Sandbox.Cluster;
using Capstan.Webhook;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Capstan.Host;

/// <summary>
/// Builds the one HTTPS host: Kestrel with the serving certificate from <see cref="TlsOptions"/>
/// (TLS 1.2+, reloaded on change, client certificates accepted for the extender to check), the webhook and extender routes, health, readiness and metrics. Tests call
/// <see cref="Build"/> with a <c>configure</c> hook to bind port 0, use a test CA, or pre-register fakes.
/// </summary>
public static class CapstanApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        ConfigurationValues.Register();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.SectionName).ValidateOnStart();
        builder.Services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ServingCertificate>();
        builder.Services.AddHostedService<ServingCertificateLoader>();
        builder.Services.AddHostedService<MeterAdapterStarter>();
        builder.WebHost.ConfigureKestrel(ConfigureKestrel);

        // A start that fails (bad configuration, a port in use) is reported by the commands in words, with the key to
        // fix; the host's own "Hosting failed to start" line would add a .NET stack trace. Its critical lines stay.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        // ASP.NET Core logs four Information lines per request (a /healthz probe every few seconds included), which
        // drown the controllers' decisions: Warning unless the configuration says otherwise
        // (Logging__LogLevel__Microsoft.AspNetCore=Information brings them back).
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        var sandbox = builder.Configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>()?.IsSandbox == true;
        if (sandbox)
        {
            builder.Services.TryAddSingleton<InMemoryCluster>();
            builder.Services.TryAddSingleton<IClusterState>(sp => sp.GetRequiredService<InMemoryCluster>());
            builder.Services.TryAddSingleton<IClusterWriter>(sp => sp.GetRequiredService<InMemoryCluster>());
        }
        else
        {
            var kubernetes = builder.Configuration.GetSection(KubernetesOptions.SectionName).Get<KubernetesOptions>() ?? new KubernetesOptions();
            k8s.KubernetesClientConfiguration? cluster = null;
            if (kubernetes.Enabled)
            {
                cluster = KubeconfigLocator.Resolve(kubernetes.Kubeconfig, Environment.GetEnvironmentVariable,
                    Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
                AddCluster(builder.Services, cluster);
            }

            if (CloudProvider(builder.Configuration) == CloudProviderKind.Aws)
            {
                AddAws(builder.Services, cluster);
                if (cluster is not null)
                {
                    // The loop needs both sides: the cluster to watch and write, the cloud to launch in.
                    Controllers.ControllerServices.Add(builder.Services, builder.Configuration);
                }
            }
        }

        builder.Services.AddCapstanWebhook();
        builder.Services.AddCapstanExtender();
        configure?.Invoke(builder);
        // After the command's hook: a host that clears the console providers still feeds the status page.
        StatusServices.Add(builder);

        var app = builder.Build();
        app.UseHttpMetrics();
        app.MapGroup("/webhook").MapCapstanWebhook();
        if (app.Services.GetService<IClusterState>() is not null)
        {
            // The extender answers from the cluster cache; without a cluster adapter there is nothing to answer from.
            app.MapGroup("/extender").MapCapstanExtender();
        }

        // The status page over the cluster adapter (or, without one, a page that says there is none).
        StatusEndpoints.MapStatus(app);
        app.MapGet("/healthz", () => TypedResults.Text("ok"));
        app.MapGet("/readyz", Ready);
        app.MapMetrics("/metrics");
        app.Lifetime.ApplicationStarted.Register(() => LogListening(app, sandbox));
        return app;
    }

    /// <summary>
    /// The production cluster adapters: the API client, the watch-fed cache (<see cref="IClusterState"/>, started as a
    /// hosted service; readiness waits for its first sync) and the writer, with node prices from the built-in catalog.
    /// </summary>
    private static void AddCluster(IServiceCollection services, k8s.KubernetesClientConfiguration configuration)
    {
        services.TryAddSingleton<k8s.IKubernetes>(_ => new k8s.Kubernetes(configuration));
        services.TryAddSingleton(sp => new KubernetesClusterCache(
            sp.GetRequiredService<k8s.IKubernetes>(),
            new KubernetesClusterCacheOptions
            {
                Pricing = CatalogNodePricing.Create(InstanceCatalog.BuiltIn),
                NodeTemplateConverter = Capstan.Kubernetes.Conversions.NodeTemplateConversions.ToNodeTemplate,
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<KubernetesClusterCache>>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IClusterState>(sp => sp.GetRequiredService<KubernetesClusterCache>());
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesClusterCache>());
        services.TryAddSingleton<IClusterWriter>(sp => new KubernetesClusterWriter(
            sp.GetRequiredService<k8s.IKubernetes>(),
            sp.GetRequiredService<IConfiguration>().GetSection(KubernetesWriterOptions.SectionName).Get<KubernetesWriterOptions>() ?? new KubernetesWriterOptions(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<KubernetesClusterWriter>>()));
    }

    /// <summary><c>Capstan:CloudProvider</c> (<c>--cloud-provider</c>): <c>aws</c> unless told otherwise.</summary>
    private static CloudProviderKind CloudProvider(ConfigurationManager configuration)
    {
        var value = configuration[ClusterOptions.CloudProviderKey];
        return value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "aws" => CloudProviderKind.Aws,
            "none" => CloudProviderKind.None,
            _ => throw new ClusterConfigurationException(
                $"{ClusterOptions.CloudProviderKey} (--cloud-provider) must be aws or none, not \"{value}\""),
        };
    }

    /// <summary>
    /// The AWS adapter: options from <c>Capstan:Aws</c>, with the cluster's name and endpoint from <c>Capstan:Cluster</c>
    /// (the endpoint and CA bundle default to the kubeconfig's), validated when the host starts.
    /// </summary>
    private static void AddAws(IServiceCollection services, k8s.KubernetesClientConfiguration? cluster)
    {
        services.AddOptions<AwsOptions>().BindConfiguration(AwsOptions.SectionName)
            .PostConfigure<IConfiguration>((aws, configuration) =>
            {
                var options = configuration.GetSection(ClusterOptions.SectionName).Get<ClusterOptions>() ?? new ClusterOptions();
                aws.ClusterName = options.Name ?? aws.ClusterName;
                // Nodes join over HTTPS; a plain-HTTP kubeconfig (a local test server) is no default for them.
                aws.ClusterEndpoint = options.Endpoint ?? aws.ClusterEndpoint
                    ?? (cluster?.Host?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true ? cluster.Host : null);
                aws.ClusterCaBundle ??= CaBundle(cluster);
            })
            .ValidateOnStart();
        services.AddCapstanAws();
    }

    /// <summary>The kubeconfig's CA certificates as the base64 PEM bundle the node bootstrap takes.</summary>
    private static string? CaBundle(k8s.KubernetesClientConfiguration? cluster)
    {
        if (cluster?.SslCaCerts is not { Count: > 0 } certificates)
        {
            return null;
        }

        var pem = string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));
        return Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem));
    }

    /// <summary>The addresses Kestrel actually bound (port 0 resolved), after the app has started.</summary>
    public static IReadOnlyList<Uri> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var feature = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        return [.. (feature?.Addresses ?? []).Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)))];
    }

    private static ContentHttpResult Ready(IServiceProvider services)
    {
        // Without a cluster adapter (serve --no-cluster) only the webhook runs, and it needs no cache.
        var cluster = services.GetService<IClusterState>();
        return cluster is null || cluster.IsSynced
            ? TypedResults.Text("ready")
            : TypedResults.Text("cluster caches not synced", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <remarks>
    /// Runs while the app is built, before options validation (which runs at start), so it reads the raw
    /// configuration and resolves the certificate services lazily, on the first handshake. A bad listen address is
    /// skipped here and reported by <see cref="ServerOptionsValidator"/> when the host starts.
    /// </remarks>
    private static void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        var services = kestrel.ApplicationServices;
        var configuration = services.GetRequiredService<IConfiguration>();
        var server = configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>() ?? new ServerOptions();
        var tls = configuration.GetSection(TlsOptions.SectionName).Get<TlsOptions>() ?? new TlsOptions();
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = server.MaxRequestBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
        if (!ListenAddress.TryParse(server.Listen, out var address, out _))
        {
            return;
        }

        // With a client CA (for the whole host or the extender alone), a client may present a certificate and the
        // handshake accepts whatever it presents: the extender's routes check the chain and answer 403 in words, while
        // the webhook, health and metrics never need one. Rejecting in the handshake would give the scheduler a
        // broken connection instead of a reason.
        // Raw keys, not the bound options: a bad value elsewhere in the section is the validator's to report.
        var extenderCa = configuration[$"{ExtenderOptions.SectionName}:{nameof(ExtenderOptions.ClientCaFile)}"];
        var extenderRequires = bool.TryParse(configuration[$"{ExtenderOptions.SectionName}:{nameof(ExtenderOptions.RequireClientCertificate)}"], out var requires) && requires;
        var clientCertificates = !string.IsNullOrWhiteSpace(tls.ClientCaFile) || !string.IsNullOrWhiteSpace(extenderCa) || extenderRequires;
        void Https(ListenOptions listen) => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ServerCertificateSelector = (_, _) => services.GetRequiredService<ServingCertificate>().Current(),
            ClientCertificateMode = clientCertificates ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate,
            ClientCertificateValidation = clientCertificates ? static (_, _, _) => true : null,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        });

        if (address.Localhost)
        {
            kestrel.ListenLocalhost(address.Port, Https);
        }
        else
        {
            kestrel.Listen(address.Address ?? IPAddress.Any, address.Port, Https);
        }
    }

    private static void LogListening(WebApplication app, bool sandbox)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Capstan.Host");
        foreach (var address in Addresses(app))
        {
            logger.Listening(sandbox ? "sandbox" : "serve", address);
        }

        if (!sandbox && app.Services.GetService<IClusterState>() is null)
        {
            logger.ClusterNotWired();
        }
    }
}
