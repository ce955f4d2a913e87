using System.Diagnostics;
using System.Globalization;
using System.Text;
using Capstan.Testing;

namespace Capstan.Host.Tests.Sandbox;

/// <summary>
/// The real kubectl driving a running <c>capstan sandbox</c> (its own process) through the kubeconfig it prints:
/// apply, scale, get -w, get -o wide, describe and delete do what the tutorials show, with Capstan launching and
/// removing the nodes.
/// </summary>
public sealed class SandboxKubectlTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kubectl_AppliesScalesWatchesAndDeletes_AgainstTheSandbox()
    {
        // The tutorial's provisioner and an inflate at zero replicas; the rest is kubectl's.
        var tutorial = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "scenarios", "tutorial.yaml"));
        var setup = tutorial[..tutorial.IndexOf("  - expect:", StringComparison.Ordinal)].Replace("name: tutorial", "name: kubectl-setup", StringComparison.Ordinal);
        var scenario = _dir.Write("setup.yaml", setup);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "capstan.dll"), "sandbox", "--scenario", scenario, "--speed", "20", "--listen", "https://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        using var sandbox = Process.Start(start)!;
        var output = new StringBuilder();
        string? kubeconfig = null;
        var serving = false;
        var reader = Task.Run(async () =>
        {
            while (await sandbox.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }

                if (line.Contains("export KUBECONFIG=", StringComparison.Ordinal))
                {
                    kubeconfig = line[(line.IndexOf("export KUBECONFIG=", StringComparison.Ordinal) + "export KUBECONFIG=".Length)..].Trim();
                }

                serving |= line.Contains("still serving", StringComparison.Ordinal);
            }
        });
        _ = sandbox.StandardError.ReadToEndAsync();
        try
        {
            await Until(() => serving && kubeconfig is not null, "the sandbox played its setup and serves", () => Snapshot(output));

            var scale = await Kubectl(kubeconfig!, "scale deployment inflate --replicas 3");
            Assert.Contains("deployment.apps/inflate scaled", scale, StringComparison.Ordinal);

            using var watch = Capstan.Testing.Kubectl.Start(kubeconfig!, "get nodes -w");
            await Until(() => watch.Output.Contains(".ec2.internal", StringComparison.Ordinal), "kubectl get nodes -w shows the launched node", () => watch.Output);
            await Until(() => System.Text.RegularExpressions.Regex.IsMatch(watch.Output, @"\.ec2\.internal\s+Ready"), "the node turns Ready in the watch", () => watch.Output);

            string pods = "";
            await Until(() =>
            {
                pods = Kubectl(kubeconfig!, "get pods -o wide").GetAwaiter().GetResult();
                return System.Text.RegularExpressions.Regex.Count(pods, @"inflate-\S+\s+1/1\s+Running\s+0\s+\S+\s+10\.\S+\s+ip-") == 3;
            }, "three inflate pods Running on the launched node", () => pods);

            var node = System.Text.RegularExpressions.Regex.Match(pods, @"(ip-[0-9-]+\.ec2\.internal)").Groups[1].Value;
            var describe = await Kubectl(kubeconfig!, $"describe node {node}");
            Assert.Contains($"Name:               {node}", describe, StringComparison.Ordinal);
            Assert.Contains("karpenter.sh/provisioner-name=default", describe, StringComparison.Ordinal);
            Assert.Contains("c6a.", describe, StringComparison.Ordinal);

            // What the user applied, as kubectl apply -f would read it back.
            var manifest = _dir.Write("inflate.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: inflate\n");
            var delete = await Kubectl(kubeconfig!, $"delete -f {manifest}");
            Assert.Contains("deployment.apps \"inflate\" deleted", delete, StringComparison.Ordinal);

            // Empty for 30 s of the sandbox's clock: Capstan removes the node.
            await Until(() => Kubectl(kubeconfig!, "get nodes").GetAwaiter().GetResult().Contains("No resources found", StringComparison.Ordinal),
                "the empty node is gone", () => Snapshot(output));
        }
        finally
        {
            if (!sandbox.HasExited)
            {
                using var kill = Process.Start("kill", ["-TERM", sandbox.Id.ToString(CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                await sandbox.WaitForExitAsync().WaitAsync(s_timeout);
            }

            await reader.WaitAsync(s_timeout);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task<string> Kubectl(string kubeconfig, string arguments)
    {
        var (_, stdout, stderr) = await Capstan.Testing.Kubectl.RunAsync(kubeconfig, arguments, timeout: s_timeout);
        return stdout + stderr;
    }

    private static async Task Until(Func<bool> condition, string what, Func<string> diagnostics)
    {
        var deadline = TimeProvider.System.GetUtcNow() + s_timeout;
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"timed out waiting until {what}; {diagnostics()}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        }
    }
}
