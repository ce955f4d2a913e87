using System.Text.Json.Nodes;
using Amazon.Runtime;
using Capstan.Aws;
using Capstan.Aws.Clients;
using Capstan.Kubernetes.LeaderElection;
using Capstan.Sandbox.Aws;
using Capstan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capstan.Host.Tests;

/// <summary>
/// The provisioning loop composed as in production: <c>capstan serve</c> with the real KubernetesClient against the
/// API server stand-in and the real AWS SDK against the AWS stand-in. Unschedulable pods become one CreateFleet per
/// node, Node objects with every field, and Bindings.
/// </summary>
public sealed class ServeProvisioningTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
    private AwsWorld _world = null!;
    private FakeApiServer _api = null!;
    private readonly CollectingLoggerProvider _logs = new();

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.UpsertNamespace(KubeObjects.Namespace("capstan")); // where Capstan runs: its leader-election lease goes there
        _api.ConfirmPodDeletions = true; // the kubelets of a real cluster finish the pods' graceful deletion
        _certs.WritePem(_dir.Path);
        _world = await AwsWorld.StartAsync(["c6a.large", "c6a.xlarge", "c6a.2xlarge", "m5.large"], ["us-east-1a", "us-east-1b"]);
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
    public async Task Serve_UnschedulablePods_AreLaunchedFor_GetNodesWithEveryField_AndAreBound()
    {
        AwsWorld.AddTutorialProvisioner(_api, """[{"key":"example.com/agent","effect":"NoSchedule"}]""");
        for (var i = 0; i < 10; i++)
        {
            _api.UpsertPod(AwsWorld.UnschedulablePod($"inflate-{i}"));
        }

        await using var app = Build();
        await app.StartAsync().WaitAsync(s_timeout);

        await Until(() => Enumerable.Range(0, 10).All(i => _api.NodeOf("apps", $"inflate-{i}") is not null), "every pod is bound",
            () => $"aws calls: {string.Join(", ", _world.Aws.Calls.Select(c => c.Action))}; api writes: {string.Join(", ", _api.Requests.Where(r => r.Method != "GET").Select(r => r.Method + " " + r.Path))}");

        var fleets = _world.Aws.CallsOf("ec2", "CreateFleet");
        var nodeNames = Enumerable.Range(0, 10).Select(i => _api.NodeOf("apps", $"inflate-{i}")!).Distinct().ToList();
        Assert.Equal(nodeNames.Count, fleets.Count);
        Assert.Equal(fleets.Count, fleets.Select(f => f.Get("ClientToken")).Distinct().Count());
        foreach (var name in nodeNames)
        {
            var node = _api.FindNode(name)!;
            var labels = node["metadata"]!["labels"]!.AsObject();
            Assert.Equal("default", (string?)labels["karpenter.sh/provisioner-name"]);
            Assert.Equal("apps", (string?)labels["intent"]);
            Assert.Equal("on-demand", (string?)labels["karpenter.sh/capacity-type"]);
            Assert.Equal("us-east-1", (string?)labels["topology.kubernetes.io/region"]);
            Assert.StartsWith("us-east-1", (string?)labels["topology.kubernetes.io/zone"], StringComparison.Ordinal);
            Assert.StartsWith("c6a.", (string?)labels["node.kubernetes.io/instance-type"], StringComparison.Ordinal);
            Assert.Equal("amd64", (string?)labels["kubernetes.io/arch"]);
            Assert.Equal("linux", (string?)labels["kubernetes.io/os"]);
            Assert.NotNull(labels["karpenter.k8s.aws/instance-family"]);
            Assert.Matches("^aws:///us-east-1[ab]/i-[0-9a-f]+$", (string?)node["spec"]!["providerID"]);
            Assert.EndsWith(".ec2.internal", name, StringComparison.Ordinal);
            Assert.Contains("karpenter.sh/termination", node["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
            Assert.Contains(node["spec"]!["taints"]!.AsArray(), t => (string?)t!["key"] == "example.com/agent");
            Assert.NotNull(node["status"]!["capacity"]!["cpu"]);
            Assert.NotNull(node["status"]!["allocatable"]!["memory"]);
        }

        Assert.Contains(_api.Requests, r => r.Method == "POST" && r.Path == "/api/v1/namespaces/apps/pods/inflate-0/binding");
        Assert.Contains(_api.Events.Values, e => (string?)e["reason"] == "Launched");

        // The kubelet registers: Ready and the startup taint gone; Capstan marks the node initialized.
        var first = _api.FindNode(nodeNames[0])!;
        first["spec"]!["taints"] = new JsonArray();
        first["status"]!["conditions"] = JsonNode.Parse("""[{"type":"Ready","status":"True"}]""");
        _api.UpsertNode(first);
        await Until(() => (string?)_api.FindNode(nodeNames[0])!["metadata"]!["labels"]!["karpenter.sh/initialized"] == "true", "the registered node is initialized");

        await Until(() => _api.FindProvisioner("default")?["status"]?["resources"]?["cpu"] is not null, "the provisioner's status.resources is written");
        var lease = _api.FindLease("capstan", "capstan-leader-election")!;
        Assert.False(string.IsNullOrEmpty((string?)lease["spec"]!["holderIdentity"]));
        using var client = _certs.CreateClient(CapstanApp.Addresses(app)[0]);
        // prometheus-net's registry is one per process, shared by the other tests' hosts: counts only grow.
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(s_timeout);
        Assert.Matches("(?m)^capstan_pods_bound_total [1-9][0-9]*$", metrics);
        Assert.Matches("(?m)^capstan_leader 1$", metrics);
        Assert.Matches("(?m)^capstan_nodes_launched_total\\{.*provisioner=\"default\".*\\} [1-9]", metrics);
        Assert.Contains("capstan_provisioning_duration_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("capstan_provisioner_usage{", metrics, StringComparison.Ordinal);
        await app.StopAsync().WaitAsync(s_timeout);
    }

    [Fact]
    public async Task Serve_TwoReplicas_OnlyTheLeaderProvisions_BothServe()
    {
        AwsWorld.AddTutorialProvisioner(_api);
        await using var one = Build("--Capstan:LeaderElection:Identity=replica-one");
        await one.StartAsync().WaitAsync(s_timeout);
        await Until(() => (string?)_api.FindLease("capstan", "capstan-leader-election")?["spec"]?["holderIdentity"] == "replica-one", "the first replica leads");
        await using var two = Build("--Capstan:LeaderElection:Identity=replica-two");
        await two.StartAsync().WaitAsync(s_timeout);
        for (var i = 0; i < 4; i++)
        {
            _api.UpsertPod(AwsWorld.UnschedulablePod($"inflate-{i}"));
        }

        await Until(() => Enumerable.Range(0, 4).All(i => _api.NodeOf("apps", $"inflate-{i}") is not null), "every pod is bound");
        Assert.True(one.Services.GetRequiredService<LeaseLeaderElector>().IsLeader);
        Assert.False(two.Services.GetRequiredService<LeaseLeaderElector>().IsLeader);
        using var client = _certs.CreateClient(CapstanApp.Addresses(two)[0]);
        Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));

        // The leader stops (releasing the lease); the other takes over and provisions the next pods.
        await one.StopAsync().WaitAsync(s_timeout);
        await Until(() => (string?)_api.FindLease("capstan", "capstan-leader-election")?["spec"]?["holderIdentity"] == "replica-two", "the second replica leads");
        _api.UpsertPod(AwsWorld.UnschedulablePod("late", cpu: "3"));
        await Until(() => _api.NodeOf("apps", "late") is not null, "the new leader provisions");
        Assert.Equal(_world.Ec2.Instances.Count, _api.NodeNames().Count);
        await two.StopAsync().WaitAsync(s_timeout);
    }

    [Fact]
    public async Task Serve_WhileEc2AndTheApiServerMisbehave_EveryPodGetsANodeOnce_AndNothingLeaks()
    {
        AwsWorld.AddTutorialProvisioner(_api);
        const int Pods = 24;
        for (var i = 0; i < Pods; i++)
        {
            _api.UpsertPod(AwsWorld.UnschedulablePod($"inflate-{i}", cpu: i % 3 == 0 ? "3" : "1"));
        }

        // A third of EC2 calls throttled or failing; a fifth of API writes answered 429, 500 (some after the work was
        // done) or 409; the watches dropped every 1.5 s, every third time with their history compacted (410).
        _world.Aws.Fail(new AwsFaultRule { Service = "ec2", Fault = AwsFault.Throttle, Probability = 0.2 });
        _world.Aws.Fail(new AwsFaultRule { Service = "ec2", Fault = AwsFault.ServerError, Probability = 0.15 });
        _api.InjectRandomWriteFaults(seed: 11, probability: 0.2);
        await using var app = Build(
            "--Capstan:Provisioning:ResyncInterval=00:00:02",
            "--Capstan:Kubernetes:Writer:BaseDelay=00:00:00.050",
            "--Capstan:Kubernetes:Writer:MaxDelay=00:00:00.500",
            "--Capstan:Kubernetes:Writer:MaxAttempts=8");
        await app.StartAsync().WaitAsync(s_timeout);
        using var stopChaos = new CancellationTokenSource();
        var chaos = Task.Run(async () =>
        {
            for (var round = 1; !stopChaos.IsCancellationRequested; round++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1500), TimeProvider.System, stopChaos.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                if (round % 3 == 0)
                {
                    _api.CompactHistory();
                }

                _api.DropWatches();
            }
        });

        await Until(() => Enumerable.Range(0, Pods).All(i => _api.NodeOf("apps", $"inflate-{i}") is not null), "every pod is bound",
            () => $"bound {Enumerable.Range(0, Pods).Count(i => _api.NodeOf("apps", $"inflate-{i}") is not null)} of {Pods}", TimeSpan.FromSeconds(90));
        await stopChaos.CancelAsync();
        await chaos;
        _api.InjectRandomWriteFaults(seed: 0, probability: 0);

        Assert.True(_api.RandomFaultsInjected > 0);
        Assert.Contains(_world.Aws.Calls, c => c.Service == "ec2" && c.Action == "CreateFleet");
        var running = _world.Ec2.Instances.Where(i => i.TerminationRequestedAt is null).ToList();
        var nodes = _api.NodeNames().Where(n => (string?)_api.FindNode(n)!["metadata"]!["labels"]!["karpenter.sh/provisioner-name"] == "default").ToList();
        // Nothing launched twice, nothing left without a Node: one instance per claim, one Node per instance.
        Assert.Equal(running.Count, running.Select(i => i.Tags["capstan.dev/node-claim"]).Distinct().Count());
        Assert.Equal(running.Select(i => i.PrivateDnsName).Order(StringComparer.Ordinal), nodes.Order(StringComparer.Ordinal));
        Assert.All(Enumerable.Range(0, Pods), i => Assert.Contains(_api.NodeOf("apps", $"inflate-{i}"), nodes));
        // Every retry of a claim's CreateFleet carried the claim's first token.
        var tokensByClaim = _world.Aws.CallsOf("ec2", "CreateFleet")
            .GroupBy(ClaimOf)
            .ToDictionary(g => g.Key, g => g.Select(c => c.Get("ClientToken")).Distinct().Count());
        Assert.All(tokensByClaim, kv => Assert.Equal(1, kv.Value));
        await app.StopAsync().WaitAsync(s_timeout);
    }

    [Fact]
    public async Task Serve_ScaledToZero_EmptyNodesAreTerminatedAfterTheirTtl()
    {
        AwsWorld.AddTutorialProvisioner(_api);
        var provisioner = _api.FindProvisioner("default")!;
        provisioner["spec"]!["ttlSecondsAfterEmpty"] = 1;
        _api.UpsertProvisioner(provisioner);
        for (var i = 0; i < 5; i++)
        {
            _api.UpsertPod(AwsWorld.UnschedulablePod($"inflate-{i}"));
        }

        await using var app = Build("--Capstan:Disruption:PollInterval=00:00:00.200");
        await app.StartAsync().WaitAsync(s_timeout);
        await Until(() => Enumerable.Range(0, 5).All(i => _api.NodeOf("apps", $"inflate-{i}") is not null), "every pod is bound");
        var nodes = _api.NodeNames();
        foreach (var name in nodes)
        {
            var node = _api.FindNode(name)!;
            node["status"]!["conditions"] = JsonNode.Parse("""[{"type":"Ready","status":"True"}]""");
            _api.UpsertNode(node);
        }

        await Until(() => nodes.All(n => (string?)_api.FindNode(n)?["metadata"]?["labels"]?["karpenter.sh/initialized"] == "true"), "the nodes are initialized");

        // kubectl scale deployment inflate --replicas 0
        for (var i = 0; i < 5; i++)
        {
            _api.DeletePod("apps", $"inflate-{i}");
        }

        await Until(() => _api.NodeNames().Count == 0, "the empty nodes are gone",
            () => string.Join("; ", _api.NodeNames().Select(n => $"{n}: {_api.FindNode(n)?["metadata"]?["annotations"]?.ToJsonString()}")));
        Assert.All(_world.Ec2.Instances, i => Assert.NotNull(i.TerminationRequestedAt));
        Assert.Contains(_api.Requests, r => r.Method == "DELETE" && r.Path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal));
        await app.StopAsync().WaitAsync(s_timeout);
    }

    [Fact]
    public async Task Serve_SpotInterruptionWarning_ReplacesTheNodeAtOnce_ThenDrainsAndTerminatesIt()
    {
        AwsWorld.AddTutorialProvisioner(_api);
        for (var i = 0; i < 3; i++)
        {
            _api.UpsertPod(AwsWorld.UnschedulablePod($"inflate-{i}"));
        }

        await using var app = Build("--Capstan:Aws:InterruptionQueue=demo-cluster");
        await app.StartAsync().WaitAsync(s_timeout);
        await Until(() => Enumerable.Range(0, 3).All(i => _api.NodeOf("apps", $"inflate-{i}") is not null), "every pod is bound");
        var name = Assert.Single(_api.NodeNames());
        var node = _api.FindNode(name)!;
        node["status"]!["conditions"] = JsonNode.Parse("""[{"type":"Ready","status":"True"}]""");
        _api.UpsertNode(node);
        await Until(() => (string?)_api.FindNode(name)?["metadata"]?["labels"]?["karpenter.sh/initialized"] == "true", "the node is initialized");
        var interrupted = Assert.Single(_world.Ec2.Instances);

        _world.Sqs.EnqueueSpotInterruption("demo-cluster", interrupted.InstanceId, TimeProvider.System.GetUtcNow());

        // The replacement is launched for the pods still running there, before any of them is evicted.
        await Until(() => _world.Ec2.Instances.Count == 2, "a replacement is launched", () => string.Join("\n", _logs.Lines.TakeLast(30)));
        var replacement = _world.Ec2.Instances.Single(i => i.InstanceId != interrupted.InstanceId);
        Assert.False(replacement.InstanceType == interrupted.InstanceType && replacement.Zone == interrupted.Zone, "the interrupted offering is avoided");
        await Until(() => _api.FindNode(name) is null, "the interrupted node is drained and deleted");
        Assert.NotNull(interrupted.TerminationRequestedAt);
        Assert.Contains(_api.Requests, r => r.Method == "POST" && r.Path == "/api/v1/namespaces/apps/pods/inflate-0/eviction");
        Assert.Contains(_api.Events.Values, e => (string?)e["reason"] == "Interrupted");
        await Until(() => _world.Sqs.CountOf("demo-cluster") == 0, "the message is deleted");
        await app.StopAsync().WaitAsync(s_timeout);
    }

    private static string ClaimOf(AwsCall call)
    {
        var key = call.Parameters.First(p => p.Value == "capstan.dev/node-claim" && p.Key.StartsWith("TagSpecification", StringComparison.Ordinal)).Key;
        return call.Get(key[..^".Key".Length] + ".Value")!;
    }

    private WebApplication Build(params string[] extra)
    {
        var endpoint = _world.Aws.Endpoint.ToString();
        return CapstanApp.Build(
        [
            "--Capstan:Server:Listen=https://127.0.0.1:0",
            $"--Capstan:Tls:CertFile={Path.Combine(_dir.Path, "tls.crt")}",
            $"--Capstan:Tls:KeyFile={Path.Combine(_dir.Path, "tls.key")}",
            $"--Capstan:Kubernetes:Kubeconfig={_api.WriteKubeconfig(_dir)}",
            HostTests.ClusterName,
            "--Capstan:Cluster:Endpoint=https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
            "--Capstan:Aws:Region=us-east-1",
            "--Capstan:Aws:DefaultInstanceProfile=KarpenterNodeInstanceProfile-demo-cluster",
            "--Capstan:Provisioning:BatchIdleDuration=00:00:00.200",
            "--Capstan:Nodes:ReconcileInterval=00:00:00.500",
            "--Capstan:LeaderElection:RetryPeriod=00:00:00.200",
            .. extra,
        ], builder =>
        {
            HostTests.Quiet(builder);
            builder.Logging.AddProvider(_logs);

            var endpoints = new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? endpoint : null);
            builder.Services.AddSingleton(endpoints);
            builder.Services.AddSingleton(sp => new AwsClientFactory(
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AwsOptions>>().Value, endpoints, new BasicAWSCredentials("AKIDEXAMPLE", "secret")));
        });
    }

    private static async Task Until(Func<bool> condition, string what, Func<string>? diagnostics = null, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? s_timeout);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"timed out waiting until {what}; {diagnostics?.Invoke()}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }
}
