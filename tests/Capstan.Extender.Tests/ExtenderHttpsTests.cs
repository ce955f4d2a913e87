using System.Net;
using System.Text.Json.Nodes;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Kubernetes.Cluster;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Extender.Tests;

/// <summary>Filter, prioritize and bind through real HTTPS, as kube-scheduler calls them.</summary>
public sealed class ExtenderHttpsTests
{
    private static InMemoryCluster Cluster()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Builders.Node("free", price: 0.2));
        cluster.UpsertNode(Builders.Node("busy", price: 0.2));
        cluster.UpsertNode(Builders.Node("doomed") with { MarkedForDeletion = true });
        cluster.UpsertNode(Builders.Node("draining") with { DisruptionCandidate = true });
        cluster.UpsertNode(Builders.Node("cordoned") with { Unschedulable = true });
        cluster.AddPod(Builders.Pod("big", cpu: "3500m"), "busy");
        return cluster;
    }

    [Fact]
    public async Task Filter_NodeCacheCapable_RemovesNodesCapstanTakesAwayAndFullNodes()
    {
        var trigger = new RecordingTrigger();
        await using var host = await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter(), trigger);
        using var client = host.CreateClient();

        var (status, body, _) = await ExtenderHost.PostAsync(client, "extender/filter",
            Builders.ArgsWithNames(Builders.PodJson("web", cpu: "1"), "free", "busy", "doomed", "draining", "cordoned", "unknown"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["free", "unknown"], body!["NodeNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(NodeVerdicts.Insufficient("cpu"), (string?)body["FailedNodes"]!["busy"]);
        var unresolvable = body["FailedAndUnresolvableNodes"]!;
        Assert.Equal(NodeVerdicts.BeingDeleted, (string?)unresolvable["doomed"]);
        Assert.Equal(NodeVerdicts.BeingDisrupted, (string?)unresolvable["draining"]);
        Assert.Equal(NodeVerdicts.CordonedByCapstan, (string?)unresolvable["cordoned"]);
        Assert.Equal("", (string?)body["Error"]);
        Assert.Null(body["Nodes"]);
        Assert.Empty(trigger.Pods);
    }

    [Fact]
    public async Task Filter_FullNodeList_ReturnsTheSameNodeObjects()
    {
        await using var host = await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter());
        using var client = host.CreateClient();
        var free = Builders.NodeJson("free");

        var (status, body, _) = await ExtenderHost.PostAsync(client, "extender/filter",
            Builders.ArgsWithNodes(Builders.PodJson("web"), free, Builders.NodeJson("doomed")));

        Assert.Equal(HttpStatusCode.OK, status);
        var item = Assert.Single(body!["Nodes"]!["items"]!.AsArray());
        Assert.True(JsonNode.DeepEquals(free, item), item!.ToJsonString());
        Assert.NotNull(body["Nodes"]!["metadata"]);
        Assert.Null(body["NodeNames"]);
        Assert.NotNull(body["FailedAndUnresolvableNodes"]!["doomed"]);
    }

    [Fact]
    public async Task Filter_EveryCandidateRemoved_ReturnsEmptyNamesAndTriggersProvisioning()
    {
        var trigger = new RecordingTrigger();
        await using var host = await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter(), trigger);
        using var client = host.CreateClient();

        var (status, body, _) = await ExtenderHost.PostAsync(client, "extender/filter",
            Builders.ArgsWithNames(Builders.PodJson("huge", cpu: "3"), "busy", "doomed"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body!["NodeNames"]!.AsArray());
        var pod = Assert.Single(trigger.Pods);
        Assert.Equal("default/huge", pod.Key);
        Assert.Equal(Quantity.Parse("3"), pod.Requests.Cpu);
    }

    [Fact]
    public async Task Filter_CacheNotSynced_AnswersWithError()
    {
        await using var host = await ExtenderHost.StartAsync(new LaggingClusterState(Builders.Node("n1")) { IsSynced = false }, new RecordingClusterWriter());
        using var client = host.CreateClient();

        var (status, body, _) = await ExtenderHost.PostAsync(client, "extender/filter", Builders.ArgsWithNames(Builders.PodJson("web"), "n1"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(NodeVerdicts.NotSynced, (string?)body!["Error"]);
    }

    [Fact]
    public async Task Prioritize_PrefersFullerStableNodes_ScoresWithinRange_Deterministic()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Builders.Node("empty", price: 0.2));
        cluster.UpsertNode(Builders.Node("half", price: 0.2));
        cluster.UpsertNode(Builders.Node("half-draining", price: 0.2) with { DisruptionCandidate = true });
        cluster.UpsertNode(Builders.Node("pricey", price: 0.8));
        cluster.AddPod(Builders.Pod("a", cpu: "2", memory: "8Gi"), "half");
        cluster.AddPod(Builders.Pod("b", cpu: "2", memory: "8Gi"), "half-draining");
        await using var host = await ExtenderHost.StartAsync(cluster, new RecordingClusterWriter());
        using var client = host.CreateClient();
        var request = Builders.ArgsWithNames(Builders.PodJson("web", cpu: "1", memory: "2Gi"), "empty", "half", "half-draining", "pricey", "unknown");

        var (status, first, _) = await ExtenderHost.PostAsync(client, "extender/prioritize", request);
        var (_, second, _) = await ExtenderHost.PostAsync(client, "extender/prioritize", request);

        Assert.Equal(HttpStatusCode.OK, status);
        var scores = first!.AsArray().ToDictionary(e => (string)e!["Host"]!, e => (long)e!["Score"]!);
        Assert.Equal(["empty", "half", "half-draining", "pricey", "unknown"], scores.Keys);
        Assert.All(scores.Values, s => Assert.InRange(s, 0, 10));
        Assert.True(scores["half"] > scores["empty"]);
        Assert.True(scores["empty"] > scores["pricey"]);
        Assert.True(scores["half"] > scores["half-draining"]);
        Assert.Equal(0, scores["unknown"]);
        Assert.True(JsonNode.DeepEquals(first, second));
    }

    [Fact]
    public async Task Bind_CreatesBindingThroughTheWriter_RecordsItInTheLedger()
    {
        var cluster = Cluster();
        cluster.AddPod(Builders.Pod("web"));
        var writer = new RecordingClusterWriter();
        await using var host = await ExtenderHost.StartAsync(cluster, writer);
        using var client = host.CreateClient();

        var (status, body, text) = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("web", "free"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"Error":""}""", text);
        Assert.Equal(("default/web", "free"), Assert.Single(writer.Bindings));
        var ledger = host.App.Services.GetRequiredService<IPlacementLedger>();
        var entry = Assert.Single(ledger.EntriesFor("free"));
        Assert.True(entry.Bound);
        Assert.Equal(Quantity.Parse("1"), entry.Requests.Cpu);
        Assert.Equal("", (string?)body!["Error"]);
    }

    [Fact]
    public async Task Bind_Retried_SucceedsWithoutBindingTwice()
    {
        var cluster = Cluster();
        cluster.AddPod(Builders.Pod("web"));
        var writer = new RecordingClusterWriter();
        await using var host = await ExtenderHost.StartAsync(cluster, writer);
        using var client = host.CreateClient();

        var first = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("web", "free"));
        var retry = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("web", "free"));

        Assert.Equal("", (string?)first.Body!["Error"]);
        Assert.Equal("", (string?)retry.Body!["Error"]);
        Assert.Single(writer.Bindings);
    }

    [Fact]
    public async Task Bind_PodBoundElsewhereOrMissing_AnswersErrorWithTheReason()
    {
        var cluster = Cluster();
        cluster.AddPod(Builders.Pod("placed"), "busy");
        await using var host = await ExtenderHost.StartAsync(cluster, cluster);
        using var client = host.CreateClient();

        var elsewhere = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("placed", "free"));
        var missing = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("ghost", "free"));

        Assert.Equal(HttpStatusCode.OK, elsewhere.Status);
        Assert.Equal("pod default/placed is already bound to node busy", (string?)elsewhere.Body!["Error"]);
        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.Contains("not found", (string?)missing.Body!["Error"], StringComparison.Ordinal);
        var ledger = host.App.Services.GetRequiredService<IPlacementLedger>();
        Assert.Empty(ledger.EntriesFor("free"));
    }

    [Fact]
    public async Task Bind_WriterFails_AnswersErrorAndReleasesTheReservation()
    {
        var cluster = Cluster();
        cluster.AddPod(Builders.Pod("web"));
        var writer = new RecordingClusterWriter { Failure = new HttpRequestException("connection refused") };
        await using var host = await ExtenderHost.StartAsync(cluster, writer);
        using var client = host.CreateClient();

        var (status, body, _) = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("web", "free"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("connection refused", (string?)body!["Error"], StringComparison.Ordinal);
        var ledger = host.App.Services.GetRequiredService<IPlacementLedger>();
        Assert.Empty(ledger.EntriesFor("free"));
    }

    [Fact]
    public async Task Bind_ThroughKubernetesClient_PostsBindingToTheApiServer()
    {
        await using var api = await FakeApiServer.StartAsync();
        api.AddPod("default", "web", "uid-web");
        api.AddPod("default", "other", "uid-other", nodeName: "busy");
        var cluster = Cluster();
        cluster.AddPod(Builders.Pod("web"));
        var writer = new KubernetesClusterWriter(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.BaseAddress.ToString() }));
        await using var host = await ExtenderHost.StartAsync(cluster, writer);
        using var client = host.CreateClient();

        var bound = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("web", "free"));
        var conflict = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("other", "free"));

        Assert.Equal("", (string?)bound.Body!["Error"]);
        Assert.Equal("free", api.NodeOf("default", "web"));
        Assert.Contains(api.Requests, r => r.Method == "POST" && r.Path == "/api/v1/namespaces/default/pods/web/binding");
        Assert.Equal("pod default/other is already bound to node busy", (string?)conflict.Body!["Error"]);
        Assert.Equal("busy", api.NodeOf("default", "other"));
    }

    [Fact]
    public async Task FilterThenBind_PodUnknownToTheCache_UsesTheRequestsSeenByFilter()
    {
        var state = new LaggingClusterState(Builders.Node("n1", cpu: "2"));
        var writer = new RecordingClusterWriter();
        await using var host = await ExtenderHost.StartAsync(state, writer);
        using var client = host.CreateClient();

        await ExtenderHost.PostAsync(client, "extender/filter", Builders.ArgsWithNames(Builders.PodJson("a", cpu: "1500m"), "n1"));
        var bindA = await ExtenderHost.PostAsync(client, "extender/bind", Builders.BindArgs("a", "n1"));
        var filterB = await ExtenderHost.PostAsync(client, "extender/filter", Builders.ArgsWithNames(Builders.PodJson("b", cpu: "1"), "n1"));

        Assert.Equal("", (string?)bindA.Body!["Error"]);
        Assert.Empty(filterB.Body!["NodeNames"]!.AsArray());
        Assert.Equal(NodeVerdicts.Insufficient("cpu"), (string?)filterB.Body["FailedNodes"]!["n1"]);
    }

    [Theory]
    [InlineData("extender/filter", "not json at all", "not valid")]
    [InlineData("extender/filter", "", "not valid")]
    [InlineData("extender/filter", "null", "null")]
    [InlineData("extender/filter", """{"Nodes": null, "NodeNames": ["n1"]}""", "Pod is missing")]
    [InlineData("extender/filter", """{"Pod": {"metadata": {"name": "p"}}, "Nodes": null, "NodeNames": null}""", "both are null")]
    [InlineData("extender/filter", """{"Pod": {"metadata": {"name": "p"}}, "Nodes": {"metadata": {}, "items": []}, "NodeNames": []}""", "both are present")]
    [InlineData("extender/filter", """{"Pod": {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "lots"}}}]}}, "NodeNames": ["n1"]}""", "not a valid")]
    [InlineData("extender/prioritize", """{"Pod": 42, "NodeNames": ["n1"]}""", "not valid")]
    [InlineData("extender/prioritize", """{"NodeNames": ["n1"]}""", "Pod is missing")]
    [InlineData("extender/bind", """{"PodName": "p", "PodNamespace": "default"}""", "Node is missing")]
    [InlineData("extender/bind", "[1, 2]", "not valid")]
    public async Task BadInput_Answers400WithAnErrorObject(string path, string body, string reason)
    {
        await using var host = await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter());
        using var client = host.CreateClient();

        var (status, json, text) = await ExtenderHost.PostAsync(client, path, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(json);
        Assert.Equal(["Error"], json!.AsObject().Select(p => p.Key));
        Assert.Contains(reason, (string?)json["Error"], StringComparison.Ordinal);
        Assert.DoesNotContain("%", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("extender/filter")]
    [InlineData("extender/bind")]
    public async Task BodyOverTheExtendersLimit_Answers400SayingSo(string path)
    {
        await using var host = await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter(),
            configuration: new Dictionary<string, string?> { ["Capstan:Extender:MaxRequestBodyBytes"] = "4096" });
        using var client = host.CreateClient();
        var names = Enumerable.Range(0, 400).Select(i => $"ip-10-0-0-{i}.ec2.internal").ToArray();

        var (status, json, _) = await ExtenderHost.PostAsync(client, path, Builders.ArgsWithNames(Builders.PodJson("web"), names));
        var small = await ExtenderHost.PostAsync(client, "extender/filter", Builders.ArgsWithNames(Builders.PodJson("web"), "free"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("too large", (string?)json!["Error"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, small.Status);
    }

    [Fact]
    public async Task RecentPods_AreBounded()
    {
        var recent = new RecentPods();
        for (var i = 0; i < (RecentPods.CapacityPerGeneration * 3) + 5; i++)
        {
            recent.Remember(new PodRequest { Namespace = "ns", Name = "p" + i, Requests = ResourceList.Empty });
        }

        Assert.NotNull(recent.Find("ns", "p" + ((RecentPods.CapacityPerGeneration * 3) + 4), null));
        Assert.Null(recent.Find("ns", "p0", null));
        await Task.CompletedTask;
    }
}
