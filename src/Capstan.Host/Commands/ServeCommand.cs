using Capstan.Host.Cluster;

namespace Capstan.Host.Commands;

/// <summary><c>capstan serve</c>: the production service on one HTTPS listener.</summary>
public static class ServeCommand
{
    public const string Usage = """
        usage: capstan serve [--listen https://HOST:PORT] [--cert FILE --key FILE] [--client-ca FILE]
                             [--kubeconfig FILE | --no-cluster] [--cloud-provider aws|none]
                             [--cluster-name NAME] [--cluster-endpoint URL] [--region REGION]
                             [--default-instance-profile NAME] [--interruption-queue QUEUE]

          --listen URL       HTTPS address (Capstan:Server:Listen, default https://0.0.0.0:8443)
          --cert FILE        PEM serving certificate (Capstan:Tls:CertFile, required)
          --key FILE         PEM private key (Capstan:Tls:KeyFile, required)
          --client-ca FILE   PEM CA for client certificates (Capstan:Tls:ClientCaFile, optional)
          --kubeconfig FILE  kubeconfig for the cluster cache and writes (Capstan:Kubernetes:Kubeconfig; default:
                             in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config)
          --no-cluster       webhook only: no cluster cache, no extender routes (Capstan:Kubernetes:Enabled=false)
          --cloud-provider P aws (default) or none: no cloud, the webhook and extender only (Capstan:CloudProvider)
          --cluster-name NAME
                             the cluster's name, required with aws (Capstan:Cluster:Name)
          --cluster-endpoint URL
                             API server URL new nodes join (Capstan:Cluster:Endpoint; default: the kubeconfig's server)
          --region REGION    AWS region (Capstan:Aws:Region; default: AWS_REGION, AWS_DEFAULT_REGION, the profile)
          --default-instance-profile NAME
                             instance profile for node templates that name none (Capstan:Aws:DefaultInstanceProfile)
          --interruption-queue QUEUE
                             SQS queue name or URL of interruption events; unset: off (Capstan:Aws:InterruptionQueue)
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
