namespace Capstan.Host;

/// <summary>Parses the command line and dispatches to <c>plan</c>, <c>serve</c> or <c>sandbox</c>.</summary>
public static class CapstanCli
{
    public const string Usage = """
        usage: capstan <command> [options]

        commands:
          plan [--catalog FILE] [--format table|json] [--scale NAME=N]... MANIFEST...
                                      offline what-if plan of pending workloads
        """;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, Console.In, stdout, stderr, TimeProvider.System);

    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return Task.FromResult(args.Length == 0 ? 2 : 0);
        }

        if (args[0] == "plan")
        {
            return Task.FromResult(Commands.PlanCommand.Run(args[1..], stdin, stdout, stderr, time));
        }

        stderr.WriteLine($"capstan: unknown command '{args[0]}'");
        stderr.WriteLine(Usage);
        return Task.FromResult(2);
    }
}
