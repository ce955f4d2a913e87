using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Placement;
using Capstan.Core.Resources;
using Capstan.Extender.Wire;
using Capstan.Sandbox.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Extender.Tests;

/// <summary>
/// The routes' streaming handler answers what the serializer route (<see cref="ExtenderArgs"/> in,
/// <see cref="ExtenderFilterResult"/> / <see cref="HostPriorityList"/> out) answers, byte for byte.
/// </summary>
public sealed class ExtenderRequestHandlerTests
{
    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name));

    private static NodeView GpuNode(string name) => new()
    {
        Name = name,
        Labels = new Dictionary<string, string> { ["karpenter.sh/provisioner-name"] = "gpu" },
        Allocatable = ResourceList.Of("cpu", "95690m", "memory", "1165184956Ki", "example.com/gpu", "8", "pods", "110"),
        PricePerHour = 32.77,
    };

    private static InMemoryCluster Cluster()
    {
        var cluster = new InMemoryCluster();
        foreach (var name in new[] { "gpu-node-1", "gpu-node-2", "gpu-node-3" })
        {
            cluster.UpsertNode(GpuNode(name));
        }

        cluster.AddPod(Builders.Pod("holder", cpu: "90"), "gpu-node-1");
        cluster.UpsertNode(Builders.Node("free", price: 0.2));
        cluster.UpsertNode(Builders.Node("busy", price: 0.3));
        cluster.UpsertNode(Builders.Node("doomed") with { MarkedForDeletion = true });
        cluster.UpsertNode(Builders.Node("draining", price: 0.2) with { DisruptionCandidate = true });
        cluster.UpsertNode(Builders.Node("cordoned") with { Unschedulable = true });
        cluster.UpsertNode(Builders.Node("caf\u00e9+<node>", price: 0.1));
        cluster.AddPod(Builders.Pod("big", cpu: "3500m"), "busy");
        return cluster;
    }

    private static (ExtenderService Service, ExtenderRequestHandler Handler) CreateSut(InMemoryCluster cluster)
    {
        var service = new ExtenderService(cluster, cluster, new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2)),
            new RecentPods(), new NoopProvisioningTrigger(), NullLogger<ExtenderService>.Instance);
        return (service, new ExtenderRequestHandler(service, NullLogger<ExtenderService>.Instance));
    }

    private static (int Status, string Body) Run(Func<ReadOnlySpan<byte>, IBufferWriter<byte>, int> verb, string body)
    {
        var output = new ArrayBufferWriter<byte>();
        var status = verb(Encoding.UTF8.GetBytes(body), output);
        return (status, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    private static string SerializerFilter(ExtenderService service, string body)
    {
        var args = JsonSerializer.Deserialize(body, ExtenderJsonContext.Default.ExtenderArgs)!;
        return JsonSerializer.Serialize(service.Filter(args, ExtenderService.PodOf(args)), ExtenderJsonContext.Default.ExtenderFilterResult);
    }

    private static string SerializerPrioritize(ExtenderService service, string body)
    {
        var args = JsonSerializer.Deserialize(body, ExtenderJsonContext.Default.ExtenderArgs)!;
        return JsonSerializer.Serialize(service.Prioritize(args, ExtenderService.PodOf(args)), ExtenderJsonContext.Default.HostPriorityList);
    }

    public static TheoryData<string> NodeNameBodies() => new()
    {
        Golden("filter_request_nodecache_true.json"),
        Golden("prioritize_request.json"),
        Builders.ArgsWithNames(Builders.PodJson("web", cpu: "1"), "free", "busy", "doomed", "draining", "cordoned", "unknown", "caf\u00e9+<node>", "free"),
        Builders.ArgsWithNames(Builders.PodJson("huge", cpu: "3"), "busy", "doomed"),
        Builders.ArgsWithNames(Builders.PodJson("web")),
        """{"pod": {"metadata": {"name": "p"}}, "NODES": null, "nodenames": ["free", null, "busy"], "Extra": [1, {"a": 2}]}""",
        """{"Pod": {"metadata": {"name": "p"}}, "NodeNames": ["doomed"], "NodeNames": ["free", "caf\u00e9\u002B<node>"]}""",
        """{"Pod": {"metadata": {"name": "p"}}, "NodeNames": ["café+<node>", "busy"]}""",
        """{"Pod": {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "2"}}}]}}, "NodeNames": ["free", "busy", "draining"]}""",
    };

    [Theory]
    [MemberData(nameof(NodeNameBodies))]
    public void Filter_NodeNames_AnswersExactlyAsTheSerializerRoute(string body)
    {
        var (service, handler) = CreateSut(Cluster());

        var (status, actual) = Run(handler.Filter, body);

        Assert.Equal(200, status);
        Assert.Equal(SerializerFilter(service, body), actual);
    }

    [Theory]
    [MemberData(nameof(NodeNameBodies))]
    public void Prioritize_NodeNames_AnswersExactlyAsTheSerializerRoute(string body)
    {
        var (service, handler) = CreateSut(Cluster());

        var (status, actual) = Run(handler.Prioritize, body);

        Assert.Equal(200, status);
        Assert.Equal(SerializerPrioritize(service, body), actual);
    }

    [Fact]
    public void Filter_NodeObjects_EchoesTheKeptObjectsAsTheSerializerRoute()
    {
        var (service, handler) = CreateSut(Cluster());
        var golden = Golden("filter_request_nodecache_false.json");
        var compact = Builders.ArgsWithNodes(Builders.PodJson("web"), Builders.NodeJson("free"), Builders.NodeJson("doomed"), Builders.NodeJson("elsewhere"));

        var fromGolden = Run(handler.Filter, golden);
        var fromCompact = Run(handler.Filter, compact);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(SerializerFilter(service, golden)), JsonNode.Parse(fromGolden.Body)), fromGolden.Body);
        Assert.Equal(SerializerFilter(service, compact), fromCompact.Body);
    }

    [Fact]
    public void Filter_NodeObjectsThatRuleThemselvesOut_AnswersAsTheSerializerRoute()
    {
        var (service, handler) = CreateSut(Cluster());
        var body = Golden("filter_request_node_state.json");

        var (status, actual) = Run(handler.Filter, body);

        Assert.Equal(200, status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(SerializerFilter(service, body)), JsonNode.Parse(actual)), actual);
        Assert.Equal(3, JsonNode.Parse(actual)!["FailedAndUnresolvableNodes"]!.AsObject().Count);
    }

    [Fact]
    public void Filter_SamePodBytesAgain_UsesTheCachedConversion_AndAChangedPodIsConvertedAgain()
    {
        var (service, handler) = CreateSut(Cluster());
        var small = Builders.ArgsWithNames(Builders.PodJson("web", cpu: "1"), "free", "busy");
        var large = Builders.ArgsWithNames(Builders.PodJson("web", cpu: "4500m"), "free", "busy");

        var first = Run(handler.Filter, small);
        var again = Run(handler.Filter, small);
        var changed = Run(handler.Filter, large);

        Assert.Equal(SerializerFilter(service, small), first.Body);
        Assert.Equal(first.Body, again.Body);
        Assert.Equal(SerializerFilter(service, large), changed.Body);
        Assert.NotEqual(first.Body, changed.Body);
    }

    [Fact]
    public async Task Filter_FollowsTheNodesSlot_ThroughChangesAndThroughTheNodeBeingCreatedAgain()
    {
        var cluster = Cluster();
        var (_, handler) = CreateSut(cluster);
        var body = Builders.ArgsWithNames(Builders.PodJson("web", cpu: "1"), "free");

        var before = Run(handler.Filter, body).Body;
        cluster.AddPod(Builders.Pod("filler", cpu: "3500m"), "free");
        var filled = Run(handler.Filter, body).Body;
        await cluster.DeleteNodeAsync("free", CancellationToken.None);
        var deleted = Run(handler.Filter, body).Body;
        cluster.UpsertNode(Builders.Node("free", price: 0.2) with { MarkedForDeletion = true });
        var recreated = Run(handler.Filter, body).Body;

        Assert.Contains("\"NodeNames\":[\"free\"]", before, StringComparison.Ordinal);
        Assert.Contains("\"FailedNodes\":{\"free\":", filled, StringComparison.Ordinal);
        Assert.Contains("\"NodeNames\":[\"free\"]", deleted, StringComparison.Ordinal); // unknown to the cache: the scheduler's checks stand
        Assert.Contains("\"FailedAndUnresolvableNodes\":{\"free\":", recreated, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyNodes_AnswersSpanningManyOutputChunks_AreExactlyTheSerializerRoutes()
    {
        // 2,000 nodes: every third is full, every fifth is draining, and the answers run to well over the
        // writer's 16 KiB chunks, in both nodeCacheCapable modes.
        var cluster = new InMemoryCluster();
        var names = Enumerable.Range(0, 2_000).Select(i => $"ip-10-1-{i / 250}-{i % 250}.ec2.internal").ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            cluster.UpsertNode(Builders.Node(names[i], price: 0.1 + (i % 4 * 0.05)) with { DisruptionCandidate = i % 5 == 0 });
            if (i % 3 == 0)
            {
                cluster.AddPod(Builders.Pod($"filler-{i}", cpu: "3500m"), names[i]);
            }
        }

        var (service, handler) = CreateSut(cluster);
        var pod = Builders.PodJson("web", cpu: "1");
        var byName = Builders.ArgsWithNames(pod, names);
        var byObject = Builders.ArgsWithNodes(Builders.PodJson("web", cpu: "1"), [.. names.Select(Builders.NodeJson)]);

        var filtered = Run(handler.Filter, byName);
        var echoed = Run(handler.Filter, byObject);
        var scored = Run(handler.Prioritize, byName);

        Assert.True(filtered.Body.Length > 64 * 1024 && echoed.Body.Length > 64 * 1024, "the answers should span several chunks");
        Assert.Equal(SerializerFilter(service, byName), filtered.Body);
        Assert.Equal(SerializerFilter(service, byObject), echoed.Body);
        Assert.Equal(SerializerPrioritize(service, byName), scored.Body);
    }

    [Theory]
    [InlineData("not json at all", "not valid")]
    [InlineData("", "not valid")]
    [InlineData("null", "(null)")]
    [InlineData("""{"Pod": {"metadata": {"name": "p"}}, "NodeNames": ["n1"]} trailing""", "not valid")]
    [InlineData("""{"Pod": {"metadata": {"name": "p"}}, "NodeNames": [1]}""", "not valid")]
    [InlineData("""{"Nodes": null, "NodeNames": ["n1"]}""", "Pod is missing")]
    [InlineData("""{"Pod": null, "NodeNames": ["n1"]}""", "Pod is missing")]
    [InlineData("""{"Pod": {"metadata": {"name": "p"}}, "Nodes": null, "NodeNames": null}""", "both are null")]
    [InlineData("""{"Pod": {"metadata": {"name": "p"}}, "Nodes": {"metadata": {}, "items": []}, "NodeNames": []}""", "both are present")]
    [InlineData("""{"Pod": {"metadata": {"name": "p"}}, "Nodes": {"metadata": {}}}""", "items is missing")]
    [InlineData("""{"Pod": {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "lots"}}}]}}, "NodeNames": ["n1"]}""", "not a valid")]
    [InlineData("""{"Pod": 42, "NodeNames": ["n1"]}""", "not valid")]
    public void BadInput_Answers400WithTheSerializerRoutesReason(string body, string reason)
    {
        var (_, handler) = CreateSut(Cluster());

        foreach (var verb in new Func<ReadOnlySpan<byte>, IBufferWriter<byte>, int>[] { handler.Filter, handler.Prioritize })
        {
            var (status, text) = Run(verb, body);

            Assert.Equal(400, status);
            var error = JsonNode.Parse(text)!;
            Assert.Equal(["Error"], error.AsObject().Select(p => p.Key));
            Assert.Contains(reason, (string?)error["Error"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KnownNodes_ManyNames_EachFoundByItsBytesAndByItsString()
    {
        var nodes = new KnownNodes();
        var names = Enumerable.Range(0, 5_000).Select(i => $"ip-10-0-{i / 250}-{i % 250}.ec2.internal").Append("n\u00f6de").ToList();

        var added = names.Select(nodes.Get).ToList();

        Assert.Equal(names.Count, nodes.Count);
        for (var i = 0; i < names.Count; i++)
        {
            Assert.Equal(names[i], added[i].Name);
            Assert.Same(added[i], nodes.Find(Encoding.UTF8.GetBytes(names[i])));
            Assert.Same(added[i], nodes.Get(names[i]));
        }

        Assert.Null(nodes.Find("absent"u8));
    }
}
