namespace Capstan.Host.Commands;

/// <summary>
/// The options <c>serve</c> and <c>sandbox</c> share, turned into configuration keys so that flags, environment
/// variables (<c>Capstan__Tls__CertFile</c>) and <c>appsettings.json</c> all reach the same options.
/// </summary>
internal sealed class HostCommandLine
{
    public List<string> ConfigArgs { get; } = [];

    public bool NoScenario { get; private set; }

    public bool Help { get; private set; }

    public string? Listen { get; private set; }

    public bool HasCertificate { get; private set; }

    /// <summary>Parses the flags; returns an error message for the first bad one.</summary>
    public static (HostCommandLine? Line, string? Error) Parse(IReadOnlyList<string> args, bool sandbox)
    {
        var line = new HostCommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.Contains('=', StringComparison.Ordinal) && arg.StartsWith("--", StringComparison.Ordinal)
                ? (arg[..arg.IndexOf('=', StringComparison.Ordinal)], arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..])
                : (arg, null);
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                return args[++i];
            }

            try
            {
                switch (name)
                {
                    case "-h" or "--help":
                        line.Help = true;
                        break;
                    case "--listen":
                        line.Listen = Value();
                        line.ConfigArgs.Add($"--Capstan:Server:Listen={line.Listen}");
                        break;
                    case "--cert":
                        line.ConfigArgs.Add($"--Capstan:Tls:CertFile={Value()}");
                        line.HasCertificate = true;
                        break;
                    case "--key":
                        line.ConfigArgs.Add($"--Capstan:Tls:KeyFile={Value()}");
                        break;
                    case "--client-ca":
                        line.ConfigArgs.Add($"--Capstan:Tls:ClientCaFile={Value()}");
                        break;
                    case "--kubeconfig" when !sandbox:
                        line.ConfigArgs.Add($"--Capstan:Kubernetes:Kubeconfig={Value()}");
                        break;
                    case "--no-cluster" when !sandbox:
                        line.ConfigArgs.Add("--Capstan:Kubernetes:Enabled=false");
                        break;
                    case "--cluster-name" when !sandbox:
                        line.ConfigArgs.Add($"--Capstan:Cluster:Name={Value()}");
                        break;
                    case "--cluster-endpoint" when !sandbox:
                        line.ConfigArgs.Add($"--Capstan:Cluster:Endpoint={Value()}");
                        break;
                    case "--cloud-provider" when !sandbox:
                        line.ConfigArgs.Add($"--Capstan:CloudProvider={Value()}");
                        break;
                    case "--region" when !sandbox:
                        line.ConfigArgs.Add($"--Capstan:Aws:Region={Value()}");
                        break;
                    case "--default-instance-profile" when !sandbox:
                        line.ConfigArgs.Add($"--Capstan:Aws:DefaultInstanceProfile={Value()}");
                        break;
                    case "--interruption-queue" when !sandbox:
                        line.ConfigArgs.Add($"--Capstan:Aws:InterruptionQueue={Value()}");
                        break;
                    case "--no-scenario" when sandbox:
                        line.NoScenario = true;
                        break;
                    default:
                        return (null, $"unknown option '{arg}'");
                }
            }
            catch (ArgumentException e)
            {
                return (null, e.Message);
            }
        }

        line.ConfigArgs.Add($"--Capstan:Server:Mode={(sandbox ? "sandbox" : "serve")}");
        return (line, null);
    }
}
