using Amazon.Runtime;
using Capstan.Aws;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Host.Commands;
using Capstan.Sandbox.Kubernetes;
using Capstan.Sandbox.Scenarios;
using Capstan.Sandbox.Time;
using Capstan.Sandbox.World;
using Capstan.Tls;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Sandbox;

/// <summary>What <c>capstan sandbox</c> was asked to do.</summary>
internal sealed record SandboxRequest
{
    public required string ScenarioPath { get; init; }

    public double? Speed { get; init; }

    public bool ExitWhenDone { get; init; }

    public string? ReportPath { get; init; }

    public string Listen { get; init; } = "https://127.0.0.1:8443";

    /// <summary>Extra <c>--Key=value</c> configuration for the Capstan host.</summary>
    public IReadOnlyList<string> Configuration { get; init; } = [];
}

/// <summary>
/// <c>capstan sandbox</c> with a scenario: the world outside (<see cref="SandboxWorld"/>) started on a fast clock,
/// Capstan's production host composed exactly as <c>capstan serve</c> composes it (the watch cache and writer on
/// KubernetesClient against the world's API endpoint, the AWS provider on the AWS SDK against its AWS endpoint,
/// the controllers, webhook, extender, metrics and status page) with the world's API server calling its webhooks
/// and the world's scheduler calling its extender, then the scenario played and its report written. Without
/// <c>--exit-when-done</c> it keeps serving for kubectl until Ctrl-C.
/// </summary>
internal static class SandboxRun
{
    public const string ClusterName = "capstan-sandbox";

    public static async Task<int> RunAsync(SandboxRequest request, CliContext context, CancellationToken cancellationToken)
    {
        Scenario scenario;
        try
        {
            scenario = ScenarioFile.Load(request.ScenarioPath);
        }
        catch (ScenarioException e)
        {
            foreach (var error in e.Errors)
            {
                await context.Stderr.WriteLineAsync($"capstan sandbox: {error}");
            }

            return 2;
        }

        var speed = request.Speed ?? scenario.Settings.Speed;
        var clock = new AcceleratedTimeProvider(speed);
        var folder = new SandboxCommand.CertificateFolder(Directory.CreateTempSubdirectory("capstan-sandbox-").FullName);
        using var certificates = CertificateSet.Create(TimeProvider.System.GetUtcNow(), TimeSpan.FromDays(30));
        certificates.WritePem(folder.Path);
        var caPem = certificates.Ca.ExportCertificatePem();

        using var loggers = LoggerFactory.Create(logging =>
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
            logging.SetMinimumLevel(LogLevel.Information);
        });
        var catalog = InstanceCatalog.BuiltIn;
        var options = new SandboxWorldOptions
        {
            ClusterName = ClusterName,
            InstanceTypes = [.. catalog.Specs.Values],
            SpotPrices = [.. catalog.OfferingsByType.SelectMany(kv => kv.Value.Where(o => o.CapacityType == "spot").Select(o => (kv.Key, o.Zone, o.PricePerHour)))],
            LaunchLatency = scenario.Settings.LaunchLatency,
            NodeBootTime = scenario.Settings.NodeBootTime,
            PodStartTime = scenario.Settings.PodStartTime,
            NodeGroups = scenario.NodeGroups,
        };
        await using var world = await SandboxWorld.StartAsync(options, clock, certificates.Server, loggers);
        var kubeconfig = Path.Combine(folder.Path, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, world.Api.Kubeconfig(ClusterName, caPem), cancellationToken);

        string[] args =
        [
            // The scenario's Capstan settings first: the sandbox's own wiring after them always wins.
            .. scenario.Settings.Configuration.Select(c => $"--{c.Key}={c.Value}"),
            $"--Capstan:Server:Listen={request.Listen}",
            $"--Capstan:Tls:CertFile={Path.Combine(folder.Path, CertificateSet.ServerCertificateFile)}",
            $"--Capstan:Tls:KeyFile={Path.Combine(folder.Path, CertificateSet.ServerKeyFile)}",
            $"--Capstan:Kubernetes:Kubeconfig={kubeconfig}",
            $"--Capstan:Cluster:Name={ClusterName}",
            $"--Capstan:Cluster:Endpoint={world.Api.BaseAddress.ToString().TrimEnd('/')}",
            $"--Capstan:Aws:Region={options.Region}",
            $"--Capstan:Aws:DefaultInstanceProfile=KarpenterNodeInstanceProfile-{ClusterName}",
            $"--Capstan:Aws:InterruptionQueue={options.InterruptionQueue}",
            // The lease's timings are in the clock's time: scaled so that, in real time, they stay the defaults
            // (15 s, 10 s, 2 s) and a busy machine does not cost the only replica its leadership.
            $"--Capstan:LeaderElection:LeaseDuration={TimeSpan.FromSeconds(15 * speed)}",
            $"--Capstan:LeaderElection:RenewDeadline={TimeSpan.FromSeconds(10 * speed)}",
            $"--Capstan:LeaderElection:RetryPeriod={TimeSpan.FromSeconds(2 * speed)}",
            .. request.Configuration,
        ];
        var endpoint = world.Aws.Endpoint.ToString();
        WebApplication app;
        try
        {
            app = CapstanApp.Build(args, builder =>
            {
                builder.Services.AddSingleton(_ => folder);
                // One line per decision, as `make run` shows them.
                builder.Logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
                builder.Services.AddSingleton<TimeProvider>(clock);
                var endpoints = new AwsEndpoints(k => k is "AWS_ENDPOINT_URL" or "AWS_ENDPOINT_URL_AUTO_SCALING" ? endpoint : null);
                builder.Services.AddSingleton(endpoints);
                builder.Services.AddSingleton(sp => new AwsClientFactory(
                    sp.GetRequiredService<IOptions<AwsOptions>>().Value, endpoints, new BasicAWSCredentials("SANDBOXACCESSKEY", "sandbox-secret")));
                context.Configure?.Invoke(builder);
            });
        }
        catch
        {
            folder.Dispose();
            throw;
        }

        await using (app)
        {
            app.Services.GetRequiredService<SandboxCommand.CertificateFolder>();
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is OptionsValidationException or IOException)
            {
                await context.Stderr.WriteLineAsync($"capstan sandbox: {e.Message}");
                return 2;
            }

            var address = CapstanApp.Addresses(app)[0];
            using var capstan = Client(certificates, address);
            world.Api.Admission = new WebhookAdmission(capstan, WebhookAdmission.Capstan);
            using var extender = Client(certificates, new Uri(address, "extender/"));
            world.StartActors(extender);

            var stdout = context.Stdout;
            await stdout.WriteLineAsync($"capstan sandbox: scenario {scenario.Name} at {speed:0.#}x; status page {address}");
            await stdout.WriteLineAsync($"capstan sandbox: export KUBECONFIG={kubeconfig}");
            var runner = new ScenarioRunner(world, line => stdout.WriteLine($"scenario: {line}"));
            var report = await runner.RunAsync(scenario, cancellationToken);
            if (request.ReportPath is { } reportPath)
            {
                report.WriteTo(reportPath);
            }

            await stdout.WriteLineAsync(
                $"capstan sandbox: scenario {scenario.Name} {(report.Passed ? "passed" : "FAILED")}: {report.NodesLaunched} node(s) launched, {report.NodesTerminated} terminated, " +
                $"{report.PodsBound} pod(s) bound (time to bind p50 {report.PodTimeToBindSeconds.P50:0.#} s, p99 {report.PodTimeToBindSeconds.P99:0.#} s), " +
                $"cost ${report.CostUsd:0.####}, {report.LeakedInstances} leaked, {report.DuplicateLaunches} duplicate launch(es)");
            foreach (var failure in report.FailedExpectations)
            {
                await stdout.WriteLineAsync($"capstan sandbox:   {failure}");
            }

            if (!request.ExitWhenDone)
            {
                await stdout.WriteLineAsync("capstan sandbox: still serving (kubectl works with the KUBECONFIG above); Ctrl-C stops");
                await app.WaitForShutdownAsync(cancellationToken);
            }

            await app.StopAsync(CancellationToken.None);
            return report.Passed ? 0 : 1;
        }
    }

    private static HttpClient Client(CertificateSet certificates, Uri baseAddress) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificates.IsSignedByCa(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate)),
            },
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(10),
        };
}
