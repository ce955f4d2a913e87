using Capstan.Host.Cluster;

namespace Capstan.Host.Commands;

/// <summary><c>capstan serve</c>: the production service on one HTTPS listener.</summary>
public static class ServeCommand
{
    public const string Usage = """
        usage: capstan serve [--listen https://HOST:PORT] [--cert FILE --key FILE] [--client-ca FILE]
                             [--kubeconfig FILE | --no-cluster]

          --listen URL       HTTPS address (Capstan:Server:Listen, default https://0.0.0.0:8443)
          --cert FILE        PEM serving certificate (Capstan:Tls:CertFile, required)
          --key FILE         PEM private key (Capstan:Tls:KeyFile, required)
          --client-ca FILE   PEM CA for client certificates (Capstan:Tls:ClientCaFile, optional)
          --kubeconfig FILE  kubeconfig for the cluster cache and writes (Capstan:Kubernetes:Kubeconfig; default:
                             in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config)
          --no-cluster       webhook only: no cluster cache, no extender routes (Capstan:Kubernetes:Enabled=false)
        Every option can also come from the environment, e.g. Capstan__Tls__CertFile=/tls/tls.crt.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (line, error) = HostCommandLine.Parse(args, sandbox: false);
        if (line is null || line.Help)
        {
            if (error is not null)
            {
                await stderr.WriteLineAsync($"capstan serve: {error}");
            }

            await (error is null ? stdout : stderr).WriteLineAsync(Usage);
            return error is null ? 0 : 2;
        }

        WebApplication app;
        try
        {
            app = CapstanApp.Build([.. line.ConfigArgs]);
        }
        catch (ClusterConfigurationException e)
        {
            await stderr.WriteLineAsync($"capstan serve: {e.Message}");
            return 2;
        }

        return await HostRunner.RunAsync(app, "serve", stderr);
    }
}
