using System.CommandLine;
using Capstan.Tls;

namespace Capstan.Host.Commands;

/// <summary>
/// <c>capstan sandbox</c>: the real HTTPS host over an in-memory cluster. Until the scenario replay lands, only
/// <c>--no-scenario</c> is available: the host starts over an empty cluster so the endpoints can be exercised from
/// outside, exactly as kube-scheduler and the API server would call them. A certificate made on the fly lives in a
/// temporary folder that goes with the host.
/// </summary>
public static class SandboxCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return CapstanCli.InvokeAsync(["sandbox", .. args], new CliContext(TextReader.Null, stdout, stderr, TimeProvider.System));
    }

    /// <summary>Parses the flags and builds the host (not started); null with the exit code when it should not run.</summary>
    internal static (WebApplication? App, int Exit) Build(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider timeProvider,
        Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        WebApplication? built = null;
        var context = new CliContext(TextReader.Null, stdout, stderr, timeProvider)
        {
            Configure = configure,
            RunHost = (app, _) =>
            {
                built = app;
                return Task.FromResult(0);
            },
        };
        var exit = CapstanCli.Invoke(["sandbox", .. args], context);
        return (built, exit);
    }

    internal static Command Create(CliContext context)
    {
        var line = HostCommandLine.For(sandbox: true);
        var command = new Command("sandbox", "Capstan's production code against an in-process twin of a cluster and AWS, playing a scenario");
        line.AddTo(command);
        var scenario = new Option<string?>("--scenario")
        {
            HelpName = "FILE",
            Description = "the scenario to play (default: scenarios/tutorial.yaml next to the executable)",
        };
        var exitWhenDone = new Option<bool>("--exit-when-done") { Arity = ArgumentArity.Zero, Description = "stop when the scenario ends; exit 1 if an expectation failed" };
        var report = new Option<string?>("--report") { HelpName = "FILE", Description = "write the scenario's report (JSON) to FILE" };
        var speed = new Option<double?>("--speed") { HelpName = "N", Description = "the clock's speed, 1 to 1000 times real time (default: the scenario's, else 10)" };
        command.Add(scenario);
        command.Add(exitWhenDone);
        command.Add(report);
        command.Add(speed);
        CapstanCli.AddHelp(command);
        command.SetAction((result, cancellationToken) =>
        {
            if (result.GetValue(line.NoScenario!))
            {
                var app = BuildHost(line.ConfigArgs(result, sandbox: true), result.GetValue(line.Listen) is null, result.GetValue(line.Cert) is null, context);
                return context.RunHost(app, "sandbox");
            }

            if (result.GetValue(speed) is { } s && (s < 1 || s > 1000))
            {
                context.Stderr.WriteLine("capstan sandbox: --speed must be between 1 and 1000");
                return Task.FromResult(2);
            }

            var request = new Sandbox.SandboxRequest
            {
                ScenarioPath = result.GetValue(scenario) ?? DefaultScenario,
                Speed = result.GetValue(speed),
                ExitWhenDone = result.GetValue(exitWhenDone),
                ReportPath = result.GetValue(report),
                Listen = result.GetValue(line.Listen) ?? "https://127.0.0.1:8443",
            };
            return Sandbox.SandboxRun.RunAsync(request, context, cancellationToken);
        });
        return command;
    }

    /// <summary>The tutorial scenario shipped beside the executable.</summary>
    public static string DefaultScenario => System.IO.Path.Combine(AppContext.BaseDirectory, "scenarios", "tutorial.yaml");

    private static WebApplication BuildHost(List<string> configArgs, bool defaultListen, bool makeCertificate, CliContext context)
    {
        if (defaultListen)
        {
            configArgs.Add("--Capstan:Server:Listen=https://127.0.0.1:8443");
        }

        string? caFile = null;
        CertificateFolder? folder = null;
        if (makeCertificate)
        {
            // The certificates `capstan certs` makes (same names), in a folder the host removes when it stops.
            folder = new CertificateFolder(Directory.CreateTempSubdirectory("capstan-sandbox-").FullName);
            using (var certificates = CertificateSet.Create(context.Time.GetUtcNow(), TimeSpan.FromDays(30)))
            {
                certificates.WritePem(folder.Path);
            }

            caFile = System.IO.Path.Combine(folder.Path, CertificateSet.CaCertificateFile);
            configArgs.Add($"--Capstan:Tls:CertFile={System.IO.Path.Combine(folder.Path, CertificateSet.ServerCertificateFile)}");
            configArgs.Add($"--Capstan:Tls:KeyFile={System.IO.Path.Combine(folder.Path, CertificateSet.ServerKeyFile)}");
        }

        WebApplication app;
        try
        {
            app = CapstanApp.Build([.. configArgs], builder =>
            {
                if (folder is { } owned)
                {
                    // Made by the container, so disposed (and the folder removed) with the host.
                    builder.Services.AddSingleton(_ => owned);
                }

                context.Configure?.Invoke(builder);
            });
        }
        catch
        {
            folder?.Dispose();
            throw;
        }

        if (folder is not null)
        {
            app.Services.GetRequiredService<CertificateFolder>();
        }

        var stdout = context.Stdout;
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
        return app;
    }

    /// <summary>The temporary folder of a certificate made on the fly; removed when the host is disposed.</summary>
    internal sealed class CertificateFolder(string path) : IDisposable
    {
        public string Path { get; } = path;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a folder that cannot go stays in the temporary directory.
            }
        }
    }
}
