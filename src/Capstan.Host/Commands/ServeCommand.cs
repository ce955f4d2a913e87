using System.CommandLine;
using Capstan.Host.Cluster;

namespace Capstan.Host.Commands;

/// <summary><c>capstan serve</c>: the production service on one HTTPS listener.</summary>
public static class ServeCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return CapstanCli.InvokeAsync(["serve", .. args], new CliContext(TextReader.Null, stdout, stderr, TimeProvider.System));
    }

    internal static Command Create(CliContext context)
    {
        var line = HostCommandLine.For(sandbox: false);
        var command = new Command("serve", "the HTTPS service: admission webhook, scheduler extender, controllers, health and metrics");
        line.AddTo(command);
        CapstanCli.AddHelp(command);
        command.SetAction(async (result, _) =>
        {
            WebApplication app;
            try
            {
                app = CapstanApp.Build([.. line.ConfigArgs(result, sandbox: false)], context.Configure);
            }
            catch (ClusterConfigurationException e)
            {
                await context.Stderr.WriteLineAsync($"capstan serve: {e.Message}");
                return 2;
            }

            return await context.RunHost(app, "serve");
        });
        return command;
    }
}
