using Capstan.Tls;

namespace Capstan.Host.Commands;

/// <summary>
/// <c>capstan sandbox</c>: the real HTTPS host over an in-memory cluster. Until the scenario replay lands, only
/// <c>--no-scenario</c> is available: the host starts over an empty cluster so the endpoints can be exercised from
/// outside, exactly as kube-scheduler and the API server would call them.
/// </summary>
public static class SandboxCommand
{
    public const string Usage = """
        usage: capstan sandbox --no-scenario [--listen https://HOST:PORT] [--cert FILE --key FILE] [--client-ca FILE]

          --no-scenario      start the host over an empty in-memory cluster (required for now)
          --listen URL       HTTPS address (default https://127.0.0.1:8443; port 0 picks a free one)
          --cert/--key FILE  PEM serving certificate and key (default: made on the fly; the CA path is printed)
          --client-ca FILE   PEM CA for client certificates (optional)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (app, exit) = Build(args, stdout, stderr, TimeProvider.System);
        return app is null ? exit : await HostRunner.RunAsync(app, "sandbox", stderr);
    }

    /// <summary>Parses the flags and builds the host (not started); null with the exit code when it should not run.</summary>
    internal static (WebApplication? App, int Exit) Build(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider timeProvider,
        Action<WebApplicationBuilder>? configure = null)
    {
        var (line, error) = HostCommandLine.Parse(args, sandbox: true);
        if (line is null || line.Help)
        {
            if (error is not null)
            {
                stderr.WriteLine($"capstan sandbox: {error}");
            }

            (error is null ? stdout : stderr).WriteLine(Usage);
            return (null, error is null ? 0 : 2);
        }

        if (!line.NoScenario)
        {
            stderr.WriteLine("capstan sandbox: the scenario replay is not available yet; run with --no-scenario to start the host over an empty cluster");
            return (null, 2);
        }

        var configArgs = new List<string>(line.ConfigArgs);
        if (line.Listen is null)
        {
            configArgs.Add("--Capstan:Server:Listen=https://127.0.0.1:8443");
        }

        string? caFile = null;
        if (!line.HasCertificate)
        {
            // The certificates `capstan certs` makes (same SANs), in a folder of their own.
            var directory = Directory.CreateTempSubdirectory("capstan-sandbox-").FullName;
            using (var certificates = CertificateSet.Create(timeProvider.GetUtcNow(), TimeSpan.FromDays(30)))
            {
                certificates.WritePem(directory);
            }

            caFile = Path.Combine(directory, CertificateSet.CaCertificateFile);
            configArgs.Add($"--Capstan:Tls:CertFile={Path.Combine(directory, CertificateSet.ServerCertificateFile)}");
            configArgs.Add($"--Capstan:Tls:KeyFile={Path.Combine(directory, CertificateSet.ServerKeyFile)}");
        }

        var app = CapstanApp.Build([.. configArgs], configure);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = CapstanApp.Addresses(app);
            var address = addresses.Count > 0 ? addresses[0] : null;
            stdout.WriteLine($"capstan sandbox: listening on {address}" + (caFile is null ? "" : $" (CA certificate: {caFile})"));
            if (caFile is not null)
            {
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Capstan.Host").SandboxCertificate(caFile);
            }
        });
        return (app, 0);
    }
}
