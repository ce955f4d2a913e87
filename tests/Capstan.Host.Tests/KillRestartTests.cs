using System.Diagnostics;
using System.Net;
using Capstan.Sandbox.Kubernetes;
using Capstan.Testing;

namespace Capstan.Host.Tests;

/// <summary>
/// The built <c>capstan serve</c> killed with SIGKILL at the worst moments of a launch and started again, against the
/// API server and AWS stand-ins: nothing is launched twice, and every instance ends with a Node and its pods.
/// </summary>
public sealed class KillRestartTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
    private AwsWorld _world = null!;
    private FakeApiServer _api = null!;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.UpsertNamespace(KubeObjects.Namespace("capstan")); // where Capstan runs: its leader-election lease goes there
        _api.ConfirmPodDeletions = true; // the kubelets of a real cluster finish the pods' graceful deletion
        _certs.WritePem(_dir.Path);
        // One type that holds all six pods: the first process launches exactly one claim, so every later launch would be a double.
        _world = await AwsWorld.StartAsync(["c6a.2xlarge"], ["us-east-1a"]);
        AwsWorld.AddTutorialProvisioner(_api);
        for (var i = 0; i < 6; i++)
        {
            _api.UpsertPod(AwsWorld.UnschedulablePod($"inflate-{i}"));
        }
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _world.DisposeAsync();
    }

    public void Dispose()
    {
        _certs.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task KilledAfterCreateFleet_BeforeTheNodeExists_TheRestartAdoptsTheInstance_AndLaunchesNothingMore()
    {
        // The Node create never answers: the first process dies with an instance running and no Node.
        _api.InjectFault("POST", "/api/v1/nodes", HttpStatusCode.InternalServerError, times: 1, mode: FaultMode.Hang);
        using (var first = Start())
        {
            await Until(() => _world.Ec2.Instances.Count > 0, "the first process launched", first);
            await Until(() => _api.Requests.Any(r => r.Method == "POST" && r.Path == "/api/v1/nodes"), "the first process tried to create the Node", first);
            first.Kill();
            await first.WaitForExitAsync().WaitAsync(s_timeout);
        }

        Assert.Empty(_api.NodeNames());
        var launched = _world.Ec2.Instances.Count;

        await RestartUntilEveryPodIsBoundAsync();

        Assert.True(launched == _world.Ec2.Instances.Count, string.Join("\n", _output.Where(l => l.Contains("Capstan", StringComparison.Ordinal) || l.Contains("nstance", StringComparison.Ordinal) || l.Contains("ode", StringComparison.Ordinal)).TakeLast(60)));
        Assert.Equal(_world.Ec2.Instances.Select(i => i.PrivateDnsName).Order(StringComparer.Ordinal), _api.NodeNames().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task KilledMidBinding_TheRestartBindsTheRestToTheSameNode()
    {
        // The third binding never answers: the first process dies with a Node and some of its pods bound.
        _api.InjectFault("POST", "/api/v1/namespaces/apps/pods/inflate-2/binding", HttpStatusCode.InternalServerError, times: 1, mode: FaultMode.Hang);
        using (var first = Start())
        {
            await Until(() => _api.Requests.Any(r => r.Path == "/api/v1/namespaces/apps/pods/inflate-2/binding"), "the first process is binding", first);
            first.Kill();
            await first.WaitForExitAsync().WaitAsync(s_timeout);
        }

        var nodesBefore = _api.NodeNames();
        Assert.NotEmpty(nodesBefore);
        var launched = _world.Ec2.Instances.Count;

        await RestartUntilEveryPodIsBoundAsync();

        Assert.Equal(launched, _world.Ec2.Instances.Count);
        Assert.Equal(nodesBefore.Order(StringComparer.Ordinal), _api.NodeNames().Order(StringComparer.Ordinal));
    }

    private async Task RestartUntilEveryPodIsBoundAsync()
    {
        using var second = Start();
        await Until(() => Enumerable.Range(0, 6).All(i => _api.NodeOf("apps", $"inflate-{i}") is not null), "every pod is bound after the restart", second);
        second.Kill();
        await second.WaitForExitAsync().WaitAsync(s_timeout);
    }

    private Process Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "capstan.dll"));
        foreach (var arg in new[]
        {
            "serve", "--listen", "https://127.0.0.1:0",
            "--cert", Path.Combine(_dir.Path, "tls.crt"), "--key", Path.Combine(_dir.Path, "tls.key"),
            "--kubeconfig", _api.WriteKubeconfig(_dir),
            "--cluster-name", "demo-cluster", "--cluster-endpoint", "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
            "--region", "us-east-1", "--default-instance-profile", "KarpenterNodeInstanceProfile-demo-cluster",
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["AWS_ENDPOINT_URL"] = _world.Aws.Endpoint.ToString();
        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "secret";
        start.Environment["Capstan__Provisioning__BatchIdleDuration"] = "00:00:00.200";
        start.Environment["Capstan__Kubernetes__Writer__AttemptTimeout"] = "00:00:30";
        // The killed process never releases its Lease: the next one waits for it to expire, kept short here.
        start.Environment["Capstan__LeaderElection__LeaseDuration"] = "00:00:03";
        start.Environment["Capstan__LeaderElection__RenewDeadline"] = "00:00:02";
        start.Environment["Capstan__LeaderElection__RetryPeriod"] = "00:00:00.250";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task Until(Func<bool> condition, string what, Process process)
    {
        var deadline = TimeProvider.System.GetUtcNow() + s_timeout;
        while (!condition())
        {
            if (process.HasExited)
            {
                Assert.Fail($"capstan serve exited ({process.ExitCode}) before {what}");
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"timed out waiting until {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }
}
