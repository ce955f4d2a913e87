using Capstan.Host.Cluster;
using Capstan.Testing;

namespace Capstan.Host.Tests.Cluster;

public sealed class KubeconfigLocatorTests
{
    private const string Kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
          - name: c
            cluster:
              server: https://10.0.0.1:6443
        users:
          - name: u
            user:
              token: t
        contexts:
          - name: x
            context:
              cluster: c
              user: u
        current-context: x
        """;

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Resolve_ExplicitFile_WinsOverTheEnvironment()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("config", Kubeconfig);

        var config = KubeconfigLocator.Resolve(file, Environment(("KUBECONFIG", "/nope")), dir.Path);

        Assert.Equal("https://10.0.0.1:6443/", config.Host.TrimEnd('/') + "/");
        Assert.Equal("t", config.AccessToken);
    }

    [Fact]
    public void Resolve_KubeconfigVariable_UsesItsFirstEntry()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("config", Kubeconfig);

        var config = KubeconfigLocator.Resolve(null, Environment(("KUBECONFIG", file + Path.PathSeparator + "/nope")), "/nonexistent-home");

        Assert.Equal("t", config.AccessToken);
    }

    [Fact]
    public void Resolve_HomeKubeConfig_IsTheFallback()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, ".kube"));
        dir.Write(Path.Combine(".kube", "config"), Kubeconfig);

        var config = KubeconfigLocator.Resolve(null, Environment(), dir.Path);

        Assert.Equal("t", config.AccessToken);
    }

    [Fact]
    public void Resolve_NothingFound_ExplainsWhatToPass()
    {
        using var dir = new TempDirectory();

        var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLocator.Resolve(null, Environment(), dir.Path));

        Assert.Contains("KUBERNETES_SERVICE_HOST is unset", error.Message, StringComparison.Ordinal);
        Assert.Contains("--kubeconfig FILE, or --no-cluster", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Resolve_UnreadableFile_SaysWhichFile()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("config", "not: [a kubeconfig");

        var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLocator.Resolve(file, Environment(), dir.Path));

        Assert.Contains($"kubeconfig {file} (from Capstan:Kubernetes:Kubeconfig) cannot be used", error.Message, StringComparison.Ordinal);
    }
}
