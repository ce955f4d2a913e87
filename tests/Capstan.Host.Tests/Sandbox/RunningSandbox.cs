using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Capstan.Host.Commands;
using k8s;

namespace Capstan.Host.Tests.Sandbox;

/// <summary>
/// <c>capstan sandbox --no-scenario --listen https://127.0.0.1:0</c> run in this process through the command's entry
/// point until disposed (cancelled, as Ctrl-C stops it): what it printed, where it listens and with which
/// certificate, and clients for its kubeconfig and its HTTPS listener.
/// </summary>
internal sealed partial class RunningSandbox : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop;
    private readonly Captured _stdout;
    private readonly Captured _stderr;

    private RunningSandbox(Task<int> run, CancellationTokenSource stop, Captured stdout, Captured stderr, Match listening, string kubeconfig)
    {
        Run = run;
        _stop = stop;
        _stdout = stdout;
        _stderr = stderr;
        Address = new Uri(listening.Groups["address"].Value);
        CaFile = listening.Groups["ca"].Success ? listening.Groups["ca"].Value : null;
        CertificateFile = listening.Groups["cert"].Success ? listening.Groups["cert"].Value : null;
        Kubeconfig = kubeconfig;
    }

    /// <summary>The command's run; its result is the exit code.</summary>
    public Task<int> Run { get; }

    /// <summary>Capstan's address, from <c>listening on ADDRESS (...)</c>.</summary>
    public Uri Address { get; }

    /// <summary>The sandbox CA's file when Capstan serves a certificate it signed; null with <c>--cert</c>.</summary>
    public string? CaFile { get; }

    /// <summary>The <c>--cert</c> file Capstan serves, as the listening line names it; null without <c>--cert</c>.</summary>
    public string? CertificateFile { get; }

    /// <summary>The kubeconfig of <c>export KUBECONFIG=...</c>.</summary>
    public string Kubeconfig { get; }

    /// <summary>The sandbox's temporary folder (the kubeconfig's).</summary>
    public string Folder => Path.GetDirectoryName(Kubeconfig)!;

    public string Output => _stdout.Text + _stderr.Text;

    [GeneratedRegex(@"capstan sandbox: listening on (?<address>https://\S+) \((?:CA certificate: (?<ca>[^)]+)|certificate: (?<cert>[^)]+))\)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"capstan sandbox: export KUBECONFIG=(?<file>\S+)")]
    private static partial Regex KubeconfigLine();

    /// <summary>Starts the sandbox with <paramref name="args"/> after the fixed ones, and waits until it says it serves.</summary>
    public static async Task<RunningSandbox> StartAsync(params string[] args)
    {
        var stdout = new Captured();
        var stderr = new Captured();
        var stop = new CancellationTokenSource();
        var run = SandboxCommand.RunAsync(["--no-scenario", "--listen", "https://127.0.0.1:0", .. args], stdout.Writer, stderr.Writer, stop.Token);
        var deadline = TimeProvider.System.GetUtcNow() + Timeout;
        while (!stdout.Text.Contains("capstan sandbox: serving", StringComparison.Ordinal))
        {
            if (run.IsCompleted || TimeProvider.System.GetUtcNow() > deadline)
            {
                await stop.CancelAsync();
                var exit = await run.WaitAsync(Timeout);
                var output = stdout.Text + stderr.Text;
                stop.Dispose();
                stdout.Dispose();
                stderr.Dispose();
                Assert.Fail($"the sandbox did not come to serve (exit {exit}): {output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }

        var text = stdout.Text;
        var listening = ListeningLine().Match(text);
        var kubeconfig = KubeconfigLine().Match(text);
        Assert.True(listening.Success && kubeconfig.Success, text);
        return new RunningSandbox(run, stop, stdout, stderr, listening, kubeconfig.Groups["file"].Value);
    }

    /// <summary>A KubernetesClient on the printed kubeconfig, as a user's program would make it.</summary>
    public k8s.Kubernetes Kubernetes() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));

    /// <summary>
    /// An HTTPS client of Capstan's listener that trusts only the certificates of <paramref name="trustedCaFile"/>
    /// (default: the printed CA) and presents <paramref name="clientCertificate"/>, if any.
    /// </summary>
    public HttpClient Client(string? trustedCaFile = null, X509Certificate2? clientCertificate = null)
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(trustedCaFile ?? CaFile ?? throw new InvalidOperationException("the sandbox printed no CA"));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                },
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            },
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(trusted);
        return new HttpClient(handler) { BaseAddress = Address, Timeout = Timeout };
    }

    /// <summary>Stops the sandbox as Ctrl-C does and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run.WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> and the output after the timeout.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, Func<string>? diagnostics = null, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? Timeout);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"timed out waiting until {what}; {diagnostics?.Invoke()}\n{Output}");
            Assert.False(Run.IsCompleted, $"the sandbox ended while waiting until {what}: {Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        }
    }

    /// <summary>The AWSNodeTemplate and the tutorial's Provisioner (intent: apps), made through the API.</summary>
    public static async Task CreateProvisionerAsync(k8s.Kubernetes client)
    {
        await client.CustomObjects.CreateClusterCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"karpenter.k8s.aws/v1alpha1","kind":"AWSNodeTemplate","metadata":{"name":"default"},
             "spec":{"subnetSelector":{"karpenter.sh/discovery":"capstan-sandbox"},"securityGroupSelector":{"karpenter.sh/discovery":"capstan-sandbox"}}}
            """)!, "karpenter.k8s.aws", "v1alpha1", "awsnodetemplates");
        await client.CustomObjects.CreateClusterCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"default"},
             "spec":{"labels":{"intent":"apps"},"ttlSecondsAfterEmpty":30,"providerRef":{"name":"default"},
                     "requirements":[{"key":"karpenter.sh/capacity-type","operator":"In","values":["on-demand"]}]}}
            """)!, "karpenter.sh", "v1alpha5", "provisioners");
    }

    /// <summary>A Deployment of small pause pods for the Provisioner above.</summary>
    public static k8s.Models.V1Deployment Deployment(string name, int replicas) => KubernetesYaml.Deserialize<k8s.Models.V1Deployment>($$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels:
              app: {{name}}
          template:
            metadata:
              labels:
                app: {{name}}
            spec:
              terminationGracePeriodSeconds: 0
              nodeSelector: {intent: apps}
              containers:
                - name: pause
                  image: public.ecr.aws/eks-distro/kubernetes/pause:3.7
                  resources:
                    requests: {cpu: 250m, memory: 256Mi}
        """);

    /// <summary>A writer the command may write to from any thread, and what it wrote so far.</summary>
    private sealed class Captured : IDisposable
    {
        private readonly StringWriter _text = new();

        public Captured() => Writer = TextWriter.Synchronized(_text);

        public TextWriter Writer { get; }

        public string Text
        {
            get
            {
                // The synchronized writer locks itself around every write.
                lock (Writer)
                {
                    return _text.ToString();
                }
            }
        }

        public void Dispose()
        {
            Writer.Dispose();
            _text.Dispose();
        }
    }
}
