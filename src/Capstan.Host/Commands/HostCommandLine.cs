using System.CommandLine;

namespace Capstan.Host.Commands;

/// <summary>
/// The options <c>serve</c> and <c>sandbox</c> share, turned into configuration keys so that flags, environment
/// variables (<c>Capstan__Tls__CertFile</c>) and <c>appsettings.json</c> all reach the same options.
/// </summary>
internal sealed class HostCommandLine
{
    private readonly List<(Option Option, string Key, string? Value)> _keys = [];

    private HostCommandLine(bool sandbox)
    {
        Value("--listen", "URL", "Capstan:Server:Listen",
            sandbox ? "HTTPS address (default https://127.0.0.1:8443; port 0 picks a free one)" : "HTTPS address (default https://0.0.0.0:8443)");
        Value("--cert", "FILE", "Capstan:Tls:CertFile",
            sandbox ? "PEM serving certificate for Capstan (default: one the sandbox's CA signs, made on the fly; give --key with it)" : "PEM serving certificate (required)");
        Value("--key", "FILE", "Capstan:Tls:KeyFile",
            sandbox ? "PEM private key of --cert" : "PEM private key of the serving certificate (required)");
        Value("--client-ca", "FILE", "Capstan:Tls:ClientCaFile",
            sandbox ? "PEM CA bundle the extender's callers' certificates must chain to (the sandbox's own scheduler is let through too)"
                : "PEM CA that client certificates must chain to (optional)");
        if (sandbox)
        {
            NoScenario = new Option<bool>("--no-scenario")
            {
                Arity = ArgumentArity.Zero,
                Description = "start the world with nothing applied and serve it for kubectl until Ctrl-C (not with --scenario, --exit-when-done or --report)",
            };
            Options.Add(NoScenario);
            return;
        }

        Value("--kubeconfig", "FILE", "Capstan:Kubernetes:Kubeconfig",
            "kubeconfig for the cluster cache and writes (default: in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config)");
        Flag("--no-cluster", "Capstan:Kubernetes:Enabled", "false", "webhook only: no cluster cache, no extender routes");
        Value("--cloud-provider", "aws|none", "Capstan:CloudProvider", "aws (default), or none: no cloud, the webhook and extender only");
        Value("--cluster-name", "NAME", "Capstan:Cluster:Name", "the cluster's name, required with aws");
        Value("--cluster-endpoint", "URL", "Capstan:Cluster:Endpoint", "API server URL new nodes join (default: the kubeconfig's server)");
        Value("--region", "REGION", "Capstan:Aws:Region", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)");
        Value("--default-instance-profile", "NAME", "Capstan:Aws:DefaultInstanceProfile", "instance profile for node templates that name none");
        Value("--interruption-queue", "QUEUE", "Capstan:Aws:InterruptionQueue", "SQS queue name or URL of interruption events (unset: off)");
    }

    public List<Option> Options { get; } = [];

    public Option<bool>? NoScenario { get; }

    /// <summary>The options of <c>serve</c> (<paramref name="sandbox"/> false) or <c>sandbox</c>.</summary>
    public static HostCommandLine For(bool sandbox) => new(sandbox);

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in Options)
        {
            command.Add(option);
        }
    }

    /// <summary>The flags given, as <c>--Key=value</c> configuration arguments, then the host's mode.</summary>
    public List<string> ConfigArgs(ParseResult result, bool sandbox)
    {
        ArgumentNullException.ThrowIfNull(result);
        var args = new List<string>();
        foreach (var (option, key, value) in _keys)
        {
            var given = value is null ? result.GetValue((Option<string?>)option)
                : result.GetValue((Option<bool>)option) ? value : null;
            if (given is not null)
            {
                args.Add($"--{key}={given}");
            }
        }

        args.Add($"--Capstan:Server:Mode={(sandbox ? "sandbox" : "serve")}");
        return args;
    }

    private Option<string?> Value(string name, string helpName, string key, string description)
    {
        var option = new Option<string?>(name) { HelpName = helpName, Description = $"{description} [{key}]" };
        Options.Add(option);
        _keys.Add((option, key, null));
        return option;
    }

    private void Flag(string name, string key, string value, string description)
    {
        var option = new Option<bool>(name) { Arity = ArgumentArity.Zero, Description = $"{description} [{key}={value}]" };
        Options.Add(option);
        _keys.Add((option, key, value));
    }
}
