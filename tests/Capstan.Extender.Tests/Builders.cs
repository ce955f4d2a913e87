using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Resources;

namespace Capstan.Extender.Tests;

/// <summary>Nodes, pods and request bodies for the extender tests.</summary>
internal static class Builders
{
    public static NodeView Node(string name, string cpu = "4", string memory = "16Gi", double? price = null, bool capstan = true) => new()
    {
        Name = name,
        Labels = capstan
            ? new Dictionary<string, string> { ["karpenter.sh/provisioner-name"] = "default", ["kubernetes.io/hostname"] = name }
            : new Dictionary<string, string> { ["kubernetes.io/hostname"] = name },
        Allocatable = ResourceList.Of("cpu", cpu, "memory", memory, "pods", "110"),
        Capacity = ResourceList.Of("cpu", cpu, "memory", memory, "pods", "110"),
        PricePerHour = price,
    };

    public static PodRequest Pod(string name, string cpu = "1", string memory = "1Gi", string ns = "default") => new()
    {
        Namespace = ns,
        Name = name,
        Uid = "uid-" + name,
        Requests = ResourceList.Of("cpu", cpu, "memory", memory, "pods", "1"),
    };

    /// <summary>A pod object as the scheduler sends it (camelCase, quantities as strings).</summary>
    public static JsonObject PodJson(string name, string cpu = "1", string memory = "1Gi", string ns = "default") => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = "uid-" + name },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "main",
                ["image"] = "nginx",
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory } },
            }),
        },
        ["status"] = new JsonObject { ["phase"] = "Pending" },
    };

    /// <summary>A node object as the scheduler sends it with nodeCacheCapable=false.</summary>
    public static JsonObject NodeJson(string name) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name } },
        ["spec"] = new JsonObject { ["providerID"] = "aws:///us-east-1a/i-" + name },
        ["status"] = new JsonObject
        {
            ["allocatable"] = new JsonObject { ["cpu"] = "4", ["memory"] = "16Gi", ["pods"] = "110" },
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
            ["someFutureField"] = new JsonObject { ["kept"] = true },
        },
    };

    public static string ArgsWithNames(JsonObject pod, params string[] nodeNames) => new JsonObject
    {
        ["Pod"] = pod,
        ["Nodes"] = null,
        ["NodeNames"] = new JsonArray([.. nodeNames.Select(n => (JsonNode)n)]),
    }.ToJsonString();

    public static string ArgsWithNodes(JsonObject pod, params JsonObject[] nodes) => new JsonObject
    {
        ["Pod"] = pod,
        ["Nodes"] = new JsonObject { ["metadata"] = new JsonObject(), ["items"] = new JsonArray([.. nodes]) },
        ["NodeNames"] = null,
    }.ToJsonString();

    public static string BindArgs(string podName, string node, string ns = "default") => new JsonObject
    {
        ["PodName"] = podName,
        ["PodNamespace"] = ns,
        ["PodUID"] = "uid-" + podName,
        ["Node"] = node,
    }.ToJsonString();
}
