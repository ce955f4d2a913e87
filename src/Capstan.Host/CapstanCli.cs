namespace Capstan.Host;

/// <summary>Parses the command line and dispatches to <c>plan</c>, <c>serve</c> or <c>sandbox</c>.</summary>
public static class CapstanCli
{
    public const string Usage = """
        usage: capstan <command> [options]

        commands:
          plan [--catalog FILE] [--format table|json] [--scale NAME=N]... MANIFEST...
                                      offline what-if plan of pending workloads
          serve [--listen URL] --cert FILE --key FILE [--client-ca FILE] [--kubeconfig FILE | --no-cluster]
                                      the HTTPS service (webhook, extender, health, metrics)
          sandbox --no-scenario [--listen URL]
                                      the HTTPS service over an empty in-memory cluster
          doctor --aws --cluster-name NAME --node-template FILE [--region R] [--interruption-queue Q]
                                      checks that this AWS account and node template can launch nodes
          certs [--out DIR] [--days N] [--namespace NS] [--manifests DIR | --no-manifests]
                                      makes the CA, serving and client certificates; writes the CA into the manifests
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

        switch (args[0])
        {
            case "plan":
                return Task.FromResult(Commands.PlanCommand.Run(args[1..], stdin, stdout, stderr, time));
            case "serve":
                return Commands.ServeCommand.RunAsync(args[1..], stdout, stderr);
            case "sandbox":
                return Commands.SandboxCommand.RunAsync(args[1..], stdout, stderr);
            case "doctor":
                return Commands.DoctorCommand.RunAsync(args[1..], stdout, stderr);
            case "certs":
                return Task.FromResult(Commands.CertsCommand.Run(args[1..], stdout, stderr, time));
        }

        stderr.WriteLine($"capstan: unknown command '{args[0]}'");
        stderr.WriteLine(Usage);
        return Task.FromResult(2);
    }
}
