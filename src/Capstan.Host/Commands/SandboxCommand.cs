using System.CommandLine;
using Capstan.Host.Sandbox;
using Capstan.Sandbox.Scenarios;

namespace Capstan.Host.Commands;

/// <summary>
/// <c>capstan sandbox</c>: Capstan's production host against an in-process twin of a cluster and AWS
/// (<see cref="SandboxRun"/>), playing a scenario, or with <c>--no-scenario</c> serving the twin with nothing applied
/// until Ctrl-C, for kubectl. Both start the same world; the options only say what happens in it.
/// </summary>
public static class SandboxCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) => RunAsync(args, stdout, stderr, CancellationToken.None);

    /// <summary>Runs the command; cancelling <paramref name="cancellationToken"/> stops it as Ctrl-C does.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return CapstanCli.InvokeAsync(["sandbox", .. args],
            new CliContext(TextReader.Null, stdout, stderr, TimeProvider.System) { CancellationToken = cancellationToken });
    }

    internal static Command Create(CliContext context)
    {
        var line = HostCommandLine.For(sandbox: true);
        var command = new Command("sandbox", "Capstan's production code against an in-process twin of a cluster and AWS, playing a scenario or, with --no-scenario, serving it empty for kubectl");
        line.AddTo(command);
        var scenario = new Option<string?>("--scenario")
        {
            HelpName = "FILE",
            Description = "the scenario to play (default: scenarios/tutorial.yaml next to the executable)",
        };
        var exitWhenDone = new Option<bool>("--exit-when-done") { Arity = ArgumentArity.Zero, Description = "stop when the scenario ends; exit 1 if an expectation failed" };
        var report = new Option<string?>("--report") { HelpName = "FILE", Description = "write the scenario's report (JSON) to FILE" };
        var speed = new Option<double?>("--speed")
        {
            HelpName = "N",
            Description = $"the clock's speed, 1 to 1000 times real time (default: the scenario's, else {ScenarioSettings.Default.Speed:0.#})",
        };
        command.Add(scenario);
        command.Add(exitWhenDone);
        command.Add(report);
        command.Add(speed);
        CapstanCli.AddHelp(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var noScenario = result.GetValue(line.NoScenario!);
            if (noScenario)
            {
                var conflicts = new List<string>();
                if (result.GetValue(scenario) is not null)
                {
                    conflicts.Add("--scenario");
                }

                if (result.GetValue(exitWhenDone))
                {
                    conflicts.Add("--exit-when-done");
                }

                if (result.GetValue(report) is not null)
                {
                    conflicts.Add("--report");
                }

                if (conflicts.Count > 0)
                {
                    var named = conflicts.Count == 1 ? conflicts[0] : $"{string.Join(", ", conflicts[..^1])} and {conflicts[^1]}";
                    await context.Stderr.WriteLineAsync($"capstan sandbox: --no-scenario plays no scenario, so it cannot be combined with {named}");
                    return 2;
                }
            }

            if (result.GetValue(speed) is { } s && (s < 1 || s > 1000))
            {
                await context.Stderr.WriteLineAsync("capstan sandbox: --speed must be between 1 and 1000");
                return 2;
            }

            // The flags, or the environment's keys for them (Capstan__Tls__CertFile, ...), as the host reads them.
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine([.. line.ConfigArgs(result, sandbox: true)]).Build();
            string? Value(string key) => string.IsNullOrWhiteSpace(configuration[key]) ? null : configuration[key];
            var request = new SandboxRequest
            {
                ScenarioPath = noScenario ? null : result.GetValue(scenario) ?? DefaultScenario,
                Speed = result.GetValue(speed),
                ExitWhenDone = result.GetValue(exitWhenDone),
                ReportPath = result.GetValue(report),
                Listen = Value("Capstan:Server:Listen") ?? "https://127.0.0.1:8443",
                CertFile = Value("Capstan:Tls:CertFile"),
                KeyFile = Value("Capstan:Tls:KeyFile"),
                ClientCaFile = Value("Capstan:Tls:ClientCaFile"),
            };
            return await SandboxRun.RunAsync(request, context, cancellationToken);
        });
        return command;
    }

    /// <summary>The tutorial scenario shipped beside the executable.</summary>
    public static string DefaultScenario => System.IO.Path.Combine(AppContext.BaseDirectory, "scenarios", "tutorial.yaml");
}
