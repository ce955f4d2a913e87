using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Capstan.Aws;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Host.Commands;
using Capstan.Host.Options;
using Capstan.Sandbox.Kubernetes;
using Capstan.Sandbox.Scenarios;
using Capstan.Sandbox.Time;
using Capstan.Sandbox.World;
using Capstan.Tls;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Sandbox;

/// <summary>What <c>capstan sandbox</c> was asked to do.</summary>
internal sealed record SandboxRequest
{
    /// <summary>The scenario to play; null starts the world with nothing applied and serves it until stopped.</summary>
    public string? ScenarioPath { get; init; }

    public double? Speed { get; init; }

    public bool ExitWhenDone { get; init; }

    public string? ReportPath { get; init; }

    public string Listen { get; init; } = "https://127.0.0.1:8443";

    /// <summary>The user's serving certificate (<c>--cert</c>); null: one signed by the sandbox's CA.</summary>
    public string? CertFile { get; init; }

    /// <summary>The private key of <see cref="CertFile"/> (<c>--key</c>).</summary>
    public string? KeyFile { get; init; }

    /// <summary>The user's client CA bundle (<c>--client-ca</c>): the extender then requires client certificates.</summary>
    public string? ClientCaFile { get; init; }
}

/// <summary>
/// <c>capstan sandbox</c>: the world outside (<see cref="SandboxWorld"/>) started on a fast clock, Capstan's
/// production host composed exactly as <c>capstan serve</c> composes it (the watch cache and writer on
/// KubernetesClient against the world's API endpoint, the AWS provider on the AWS SDK against its AWS endpoint, the
/// controllers, webhook, extender, metrics and status page) with the world's API server calling its webhooks and the
/// world's scheduler calling its extender. With a scenario, the scenario is played and its report written; without
/// <c>--exit-when-done</c> (and always without a scenario) it keeps serving for kubectl until Ctrl-C or SIGTERM. The
/// certificates and the kubeconfig live in a temporary folder that goes when the run ends, however it ends.
/// </summary>
internal static class SandboxRun
{
    public const string ClusterName = "capstan-sandbox";

    /// <summary>The client CA bundle Capstan checks when <c>--client-ca</c> is given: the user's CAs and the sandbox's.</summary>
    public const string ClientCaBundleFile = "client-ca-bundle.crt";

    public static async Task<int> RunAsync(SandboxRequest request, CliContext context, CancellationToken cancellationToken)
    {
        Scenario? scenario = null;
        if (request.ScenarioPath is { } path)
        {
            try
            {
                scenario = ScenarioFile.Load(path);
            }
            catch (ScenarioException e)
            {
                foreach (var error in e.Errors)
                {
                    await context.Stderr.WriteLineAsync($"capstan sandbox: {error}");
                }

                return 2;
            }
        }

        // Ctrl-C and SIGTERM end the run from its very start (the host's own handling only begins once it listens), so
        // the temporary folder below always goes.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var folder = Directory.CreateTempSubdirectory("capstan-sandbox-").FullName;
        try
        {
            return await RunInAsync(folder, scenario, request, context, stop);
        }
        finally
        {
            RemoveFolder(folder);
        }

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<int> RunInAsync(string folder, Scenario? scenario, SandboxRequest request, CliContext context, CancellationTokenSource stop)
    {
        // Without a scenario the world moves as a scenario that says nothing about it would.
        var settings = scenario?.Settings ?? ScenarioSettings.Default;
        var speed = request.Speed ?? settings.Speed;
        using var certificates = CertificateSet.Create(TimeProvider.System.GetUtcNow(), TimeSpan.FromDays(30));
        certificates.WritePem(folder);
        var tls = SandboxTls.Prepare(request, certificates, folder);
        if (tls.Problems.Count > 0)
        {
            foreach (var problem in tls.Problems)
            {
                await context.Stderr.WriteLineAsync($"capstan sandbox: {problem}");
            }

            return 2;
        }

        var clock = new AcceleratedTimeProvider(speed);
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
            LaunchLatency = settings.LaunchLatency,
            NodeBootTime = settings.NodeBootTime,
            PodStartTime = settings.PodStartTime,
            NodeGroups = scenario?.NodeGroups ?? [],
        };
        await using var world = await SandboxWorld.StartAsync(options, clock, certificates.Server, loggers);
        var kubeconfig = Path.Combine(folder, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, world.Api.Kubeconfig(ClusterName, certificates.Ca.ExportCertificatePem()), stop.Token);

        string[] args =
        [
            // The scenario's Capstan settings first: the sandbox's own wiring after them always wins.
            .. settings.Configuration.Select(c => $"--{c.Key}={c.Value}"),
            $"--Capstan:Server:Listen={request.Listen}",
            $"--Capstan:Tls:CertFile={tls.CertFile}",
            $"--Capstan:Tls:KeyFile={tls.KeyFile}",
            // Always set, if only to nothing: the world's clients must know what Capstan will ask of them.
            $"--Capstan:Tls:ClientCaFile={tls.ClientCaFile}",
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
        ];
        var endpoint = world.Aws.Endpoint.ToString();
        // Capstan's API client, made from the kubeconfig as serve makes it, through a handler that ends its watch
        // streams once Capstan has stopped (disposed after the app, before the world): the client leaves the streams
        // of the watches it stopped open, and the world's API endpoint would wait for them, up to their timeout
        // (30 s at 10x), before it stops.
        using var connection = new WatchStreams();
        await using var app = CapstanApp.Build(args, builder =>
        {
            builder.Services.Replace(ServiceDescriptor.Singleton<k8s.IKubernetes>(
                _ => new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig), connection)));
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
        try
        {
            await app.StartAsync(stop.Token);
        }
        catch (Exception e) when (HostRunner.ValidationFailures(e) is { Count: > 0 } failures)
        {
            foreach (var failure in failures)
            {
                await context.Stderr.WriteLineAsync($"capstan sandbox: {failure}");
            }

            return 2;
        }
        catch (IOException e)
        {
            await context.Stderr.WriteLineAsync($"capstan sandbox: cannot listen: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }

        // Whatever stops the host (its own Ctrl-C handling included) stops the run.
        using var stopping = app.Lifetime.ApplicationStopping.Register(stop.Cancel);
        var address = CapstanApp.Addresses(app)[0];
        using var capstan = Client(tls, certificates, address);
        world.Api.Admission = new WebhookAdmission(capstan, WebhookAdmission.Capstan);
        using var extender = Client(tls, certificates, new Uri(address, "extender/"));
        world.StartActors(extender);

        var stdout = context.Stdout;
        var caFile = Path.Combine(folder, CertificateSet.CaCertificateFile);
        await stdout.WriteLineAsync($"capstan sandbox: listening on {address} " +
            (request.CertFile is { } certFile ? $"(certificate: {certFile})" : $"(CA certificate: {caFile})"));
        if (request.CertFile is null)
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Capstan.Host").SandboxCertificate(caFile);
        }

        var exit = 0;
        if (scenario is null)
        {
            await stdout.WriteLineAsync($"capstan sandbox: no scenario, an empty world at {speed:0.#}x; status page {address}");
            await stdout.WriteLineAsync($"capstan sandbox: export KUBECONFIG={kubeconfig}");
            await stdout.WriteLineAsync("capstan sandbox: serving (kubectl works with the KUBECONFIG above); Ctrl-C stops");
        }
        else
        {
            await stdout.WriteLineAsync($"capstan sandbox: scenario {scenario.Name} at {speed:0.#}x; status page {address}");
            await stdout.WriteLineAsync($"capstan sandbox: export KUBECONFIG={kubeconfig}");
            var report = await PlayAsync(scenario, world, stdout, stop.Token);
            if (report is null)
            {
                await stdout.WriteLineAsync($"capstan sandbox: scenario {scenario.Name} stopped before it ended");
                await app.StopAsync(CancellationToken.None);
                return 1;
            }

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

            exit = report.Passed ? 0 : 1;
            if (request.ExitWhenDone)
            {
                await app.StopAsync(CancellationToken.None);
                return exit;
            }

            await stdout.WriteLineAsync("capstan sandbox: still serving (kubectl works with the KUBECONFIG above); Ctrl-C stops");
        }

        await app.WaitForShutdownAsync(stop.Token);
        return exit;
    }

    /// <summary>The scenario's report; null when the run was stopped before the scenario ended.</summary>
    private static async Task<ScenarioReport?> PlayAsync(Scenario scenario, SandboxWorld world, TextWriter stdout, CancellationToken stop)
    {
        try
        {
            return await new ScenarioRunner(world, line => stdout.WriteLine($"scenario: {line}")).RunAsync(scenario, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// The HTTPS client of the world's API server (for the webhooks) and scheduler (for the extender): it trusts the
    /// sandbox's CA or the user's own serving certificate, and presents the sandbox's client certificate, which the
    /// client CA bundle Capstan checks always accepts.
    /// </summary>
    private static HttpClient Client(SandboxTls tls, CertificateSet certificates, Uri baseAddress) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var presented = new X509Certificate2(certificate);
                    return certificates.IsSignedByCa(presented) || tls.IsUserCertificate(presented);
                },
                ClientCertificates = [certificates.Client],
            },
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>The outermost handler of Capstan's API client: disposing it ends every watch stream still open.</summary>
    private sealed class WatchStreams : DelegatingHandler
    {
        private readonly List<WeakReference<HttpContent>> _open = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) == true)
            {
                lock (_open)
                {
                    // A stream nobody holds any more has ended.
                    _open.RemoveAll(r => !r.TryGetTarget(out _));
                    _open.Add(new WeakReference<HttpContent>(response.Content));
                }
            }

            return response;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                lock (_open)
                {
                    foreach (var stream in _open)
                    {
                        if (stream.TryGetTarget(out var content))
                        {
                            content.Dispose();
                        }
                    }

                    _open.Clear();
                }
            }

            base.Dispose(disposing);
        }
    }

    private static void RemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a folder that cannot go stays in the temporary directory.
        }
    }

    /// <summary>
    /// The TLS files Capstan is given in the sandbox: the user's serving certificate or the sandbox's, and, with a
    /// user's client CA, a bundle of its certificates and the sandbox's CA so the world's scheduler still gets
    /// through. Problems with the user's files are the validator's lines (each naming the option).
    /// </summary>
    private sealed class SandboxTls
    {
        private string? _userCertFile;

        public string CertFile { get; private set; } = "";

        public string KeyFile { get; private set; } = "";

        /// <summary>The bundle's path, or empty when no client CA was asked for.</summary>
        public string ClientCaFile { get; private set; } = "";

        public List<string> Problems { get; } = [];

        public static SandboxTls Prepare(SandboxRequest request, CertificateSet certificates, string folder)
        {
            var tls = new SandboxTls();
            var own = request.CertFile is null && request.KeyFile is null;
            tls.CertFile = own ? Path.Combine(folder, CertificateSet.ServerCertificateFile) : request.CertFile ?? "";
            tls.KeyFile = own ? Path.Combine(folder, CertificateSet.ServerKeyFile) : request.KeyFile ?? "";
            tls._userCertFile = own ? null : request.CertFile;
            var check = new TlsOptions { CertFile = tls.CertFile, KeyFile = tls.KeyFile, ClientCaFile = request.ClientCaFile };
            if (new TlsOptionsValidator().Validate(null, check) is { Failed: true } result)
            {
                tls.Problems.AddRange(result.Failures);
                return tls;
            }

            if (request.ClientCaFile is { } userCa)
            {
                var key = $"{TlsOptions.SectionName}:{nameof(TlsOptions.ClientCaFile)} (--client-ca)";
                var trusted = new X509Certificate2Collection();
                try
                {
                    trusted.ImportFromPemFile(userCa);
                }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
                {
                    tls.Problems.Add($"{key} \"{userCa}\" cannot be read as PEM certificates");
                    return tls;
                }

                if (trusted.Count == 0)
                {
                    tls.Problems.Add($"{key} \"{userCa}\" holds no PEM certificate (expected a \"-----BEGIN CERTIFICATE-----\" block)");
                    return tls;
                }

                tls.ClientCaFile = Path.Combine(folder, ClientCaBundleFile);
                File.WriteAllText(tls.ClientCaFile, string.Concat(trusted.Append(certificates.Ca).Select(c => c.ExportCertificatePem() + "\n")));
                foreach (var certificate in trusted)
                {
                    certificate.Dispose();
                }
            }

            return tls;
        }

        /// <summary>True when <paramref name="presented"/> is a certificate of the user's <c>--cert</c> file (read again, as Capstan reloads it).</summary>
        public bool IsUserCertificate(X509Certificate2 presented)
        {
            if (_userCertFile is null)
            {
                return false;
            }

            var file = new X509Certificate2Collection();
            try
            {
                file.ImportFromPemFile(_userCertFile);
                return file.Any(c => c.RawDataMemory.Span.SequenceEqual(presented.RawDataMemory.Span));
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                return false;
            }
            finally
            {
                foreach (var certificate in file)
                {
                    certificate.Dispose();
                }
            }
        }
    }
}
