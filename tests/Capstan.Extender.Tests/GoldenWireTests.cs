using System.Text.Json;
using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Placement;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Extender.Wire;
using Capstan.Sandbox.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Extender.Tests;

/// <summary>
/// The examples of kube-scheduler's extender protocol (kept in Golden/): requests parse, and what we write has
/// exactly the keys, nesting and value kinds of the examples.
/// </summary>
public sealed class GoldenWireTests
{
    private static readonly string[] s_filterResultKeys = ["Nodes", "NodeNames", "FailedNodes", "FailedAndUnresolvableNodes", "Error"];

    private static readonly JsonSerializerOptions s_webOptions = new(JsonSerializerDefaults.Web) { TypeInfoResolver = ExtenderJsonContext.Default };

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name));

    private static JsonNode GoldenNode(string name) => JsonNode.Parse(Golden(name))!;

    private static ExtenderArgs ParseArgs(string name) =>
        JsonSerializer.Deserialize(Golden(name), ExtenderJsonContext.Default.ExtenderArgs)!;

    private static JsonNode Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonNode.Parse(JsonSerializer.Serialize(value, typeInfo))!;

    private static string[] Keys(JsonNode node) => [.. node.AsObject().Select(p => p.Key)];

    private static NodeView GpuNode(string name, bool markedForDeletion = false) => new()
    {
        Name = name,
        Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name, ["karpenter.sh/provisioner-name"] = "gpu" },
        Allocatable = ResourceList.Of("cpu", "95690m", "memory", "1165184956Ki", "example.com/gpu", "8", "pods", "110"),
        MarkedForDeletion = markedForDeletion,
    };

    private static ExtenderService CreateSut(InMemoryCluster cluster) =>
        new(cluster, cluster, new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2)), new RecentPods(), new NoopProvisioningTrigger(), NullLogger<ExtenderService>.Instance);

    [Fact]
    public void FilterRequest_NodeCacheTrue_ParsesEnvelopeAndEmbeddedPod()
    {
        var args = ParseArgs("filter_request_nodecache_true.json");

        Assert.Null(args.Nodes);
        Assert.Equal(["gpu-node-1", "gpu-node-2", "gpu-node-3"], args.NodeNames);
        Assert.Equal("trainer-7f9c6d-x2k8p", args.Pod!.Metadata.Name);
        Assert.Equal("ml-team", args.Pod.Metadata.NamespaceProperty);
        var pod = ExtenderService.PodOf(args);
        Assert.Equal(Quantity.Parse("4"), pod.Requests.Cpu);
        Assert.Equal(Quantity.Parse("16Gi"), pod.Requests.Memory);
        Assert.Equal(Quantity.Parse("1"), pod.Requests["example.com/gpu"]);
        Assert.Null(ExtenderService.Validate(args));
    }

    [Fact]
    public void FilterRequest_NodeCacheFalse_ParsesNodeListItemsRaw()
    {
        var args = ParseArgs("filter_request_nodecache_false.json");

        Assert.Null(args.NodeNames);
        Assert.NotNull(args.Nodes?.Items);
        Assert.Equal(["gpu-node-1", "gpu-node-2"], args.Nodes.Items.Select(NodeList.NameOf));
        Assert.Equal(10250, args.Nodes.Items[0].GetProperty("status").GetProperty("daemonEndpoints").GetProperty("kubeletEndpoint").GetProperty("Port").GetInt32());
        Assert.Null(ExtenderService.Validate(args));
    }

    [Fact]
    public void FilterResponse_NodeCacheTrue_HasTheExampleKeysAndShape()
    {
        var cluster = new InMemoryCluster();
        foreach (var name in new[] { "gpu-node-1", "gpu-node-2", "gpu-node-3" })
        {
            cluster.UpsertNode(GpuNode(name));
        }

        // gpu-node-1's eight GPUs are taken.
        cluster.AddPod(new PodRequest { Namespace = "ml-team", Name = "holder", Requests = ResourceList.Of("example.com/gpu", "8", "pods", "1") }, "gpu-node-1");
        var args = ParseArgs("filter_request_nodecache_true.json");

        var actual = Write(CreateSut(cluster).Filter(args, ExtenderService.PodOf(args)), ExtenderJsonContext.Default.ExtenderFilterResult);

        var expected = GoldenNode("filter_response_nodecache_true.json");
        Assert.Equal(Keys(expected), Keys(actual));
        Assert.Equal(s_filterResultKeys, Keys(actual));
        Assert.Null(actual["Nodes"]);
        Assert.True(JsonNode.DeepEquals(expected["NodeNames"], actual["NodeNames"]));
        Assert.Equal(Keys(expected["FailedNodes"]!), Keys(actual["FailedNodes"]!));
        Assert.Equal(JsonValueKind.String, actual["FailedNodes"]!["gpu-node-1"]!.GetValueKind());
        Assert.Empty(actual["FailedAndUnresolvableNodes"]!.AsObject());
        Assert.Equal("", (string?)actual["Error"]);
    }

    [Fact]
    public void FilterResponse_NodeCacheFalse_EchoesTheNodeObjectsUnmodified()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(GpuNode("gpu-node-1", markedForDeletion: true));
        cluster.UpsertNode(GpuNode("gpu-node-2"));
        var args = ParseArgs("filter_request_nodecache_false.json");

        var actual = Write(CreateSut(cluster).Filter(args, ExtenderService.PodOf(args)), ExtenderJsonContext.Default.ExtenderFilterResult);

        var expected = GoldenNode("filter_response_nodecache_false.json");
        Assert.Equal(Keys(expected), Keys(actual));
        Assert.True(JsonNode.DeepEquals(expected["Nodes"], actual["Nodes"]), actual["Nodes"]?.ToJsonString());
        Assert.Null(actual["NodeNames"]);
        Assert.Empty(actual["FailedNodes"]!.AsObject());
        Assert.Equal(Keys(expected["FailedAndUnresolvableNodes"]!), Keys(actual["FailedAndUnresolvableNodes"]!));
        Assert.Equal(NodeVerdicts.BeingDeleted, (string?)actual["FailedAndUnresolvableNodes"]!["gpu-node-1"]);
        Assert.Equal("", (string?)actual["Error"]);
    }

    [Fact]
    public void FilterResponse_Error_HasTheExampleKeys()
    {
        var actual = Write(ExtenderFilterResult.Failed("gpu inventory cache not synced yet"), ExtenderJsonContext.Default.ExtenderFilterResult);

        var expected = GoldenNode("filter_response_error.json");
        Assert.Equal(Keys(expected), Keys(actual));
        Assert.Null(actual["Nodes"]);
        Assert.Null(actual["NodeNames"]);
        Assert.Equal((string?)expected["Error"], (string?)actual["Error"]);
    }

    [Fact]
    public void PrioritizeResponse_IsAnArrayOfHostAndScore_WithinZeroToTen()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(GpuNode("gpu-node-2") with { PricePerHour = 32.77 });
        cluster.UpsertNode(GpuNode("gpu-node-3") with { PricePerHour = 40.96 });
        cluster.AddPod(new PodRequest { Namespace = "ml-team", Name = "busy", Requests = ResourceList.Of("cpu", "40", "memory", "400Gi", "pods", "1") }, "gpu-node-2");
        var args = ParseArgs("prioritize_request.json");

        var actual = Write(CreateSut(cluster).Prioritize(args, ExtenderService.PodOf(args)), ExtenderJsonContext.Default.HostPriorityList);

        var expected = GoldenNode("prioritize_response.json").AsArray();
        var items = actual.AsArray();
        Assert.Equal(expected.Count, items.Count);
        Assert.Equal(expected.Select(e => (string?)e!["Host"]), items.Select(e => (string?)e!["Host"]));
        foreach (var item in items)
        {
            Assert.Equal(Keys(expected[0]!), Keys(item!));
            Assert.Equal(JsonValueKind.Number, item!["Score"]!.GetValueKind());
            Assert.InRange((long)item["Score"]!, 0, 10);
        }

        // Fuller and cheaper: gpu-node-2 first, as in the example.
        Assert.True((long)items[0]!["Score"]! > (long)items[1]!["Score"]!);
    }

    [Fact]
    public void BindRequest_Parses_AndResponsesMatchTheExamples()
    {
        var args = JsonSerializer.Deserialize(Golden("bind_request.json"), ExtenderJsonContext.Default.ExtenderBindingArgs)!;

        Assert.Equal("trainer-7f9c6d-x2k8p", args.PodName);
        Assert.Equal("ml-team", args.PodNamespace);
        Assert.Equal("5f0c2c1e-8a8b-4a53-9d0e-2b1f6f3e9a11", args.PodUid);
        Assert.Equal("gpu-node-2", args.Node);
        Assert.True(JsonNode.DeepEquals(GoldenNode("bind_response_ok.json"), Write(ExtenderBindingResult.Ok, ExtenderJsonContext.Default.ExtenderBindingResult)));
        var failed = ExtenderBindingResult.Failed("binding rejected: device reservation on gpu-node-2 expired");
        Assert.True(JsonNode.DeepEquals(GoldenNode("bind_response_err.json"), Write(failed, ExtenderJsonContext.Default.ExtenderBindingResult)));
    }

    [Fact]
    public void Serialization_IgnoresTheHostNamingPolicy_KeysStayPascalCase()
    {
        var text = JsonSerializer.Serialize(new HostPriorityList { new("n1", 3) }, s_webOptions);

        Assert.Equal("""[{"Host":"n1","Score":3}]""", text);
    }
}
