using System.Net;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Cluster;

namespace Capstan.Extender.Tests;

/// <summary>
/// <c>nodeCacheCapable: false</c>: the Node objects in the request are the scheduler's view, and what they say about
/// deletion and disruption removes the node even when Capstan's cache does not know it yet, or knows an older version.
/// </summary>
public sealed class NodeObjectStateTests
{
    private const string Fine = "ip-10-0-1-17.ec2.internal";
    private const string Deleting = "ip-10-0-1-18.ec2.internal";
    private const string CordonedAndTainted = "ip-10-0-1-19.ec2.internal";
    private const string CordonedOnly = "ip-10-0-1-20.ec2.internal";
    private const string TaintedOnly = "ip-10-0-1-21.ec2.internal";
    private const string StaleInCache = "ip-10-0-1-22.ec2.internal";

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name));

    /// <summary>The cache knows two of the six nodes, the second in a version from before it was cordoned and tainted.</summary>
    private static InMemoryCluster Cluster()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Builders.Node(Fine));
        cluster.UpsertNode(Builders.Node(StaleInCache));
        return cluster;
    }

    [Fact]
    public async Task Filter_NodeObjects_RemovesNodesTheSchedulerSeesDeletedOrCordonedForDisruption()
    {
        var trigger = new RecordingTrigger();
        await using var host = await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter(), trigger);
        using var client = host.CreateClient();
        var request = Golden("filter_request_node_state.json");
        var sent = JsonNode.Parse(request)!["Nodes"]!["items"]!.AsArray();

        var (status, body, text) = await ExtenderHost.PostAsync(client, "extender/filter", request);

        Assert.Equal(HttpStatusCode.OK, status);
        var kept = body!["Nodes"]!["items"]!.AsArray();
        Assert.Equal([Fine, CordonedOnly, TaintedOnly], kept.Select(n => (string?)n!["metadata"]!["name"]));
        foreach (var item in kept)
        {
            // Echoed unmodified, unknown fields and all.
            Assert.Contains(sent, s => JsonNode.DeepEquals(s, item));
        }

        var removed = body["FailedAndUnresolvableNodes"]!.AsObject();
        Assert.Equal([Deleting, CordonedAndTainted, StaleInCache], removed.Select(p => p.Key));
        Assert.Equal("node(s) are being deleted", (string?)removed[Deleting]);
        Assert.Equal("node(s) are cordoned and tainted karpenter.sh/disruption (being taken away)", (string?)removed[CordonedAndTainted]);
        Assert.Equal((string?)removed[CordonedAndTainted], (string?)removed[StaleInCache]);
        Assert.Empty(body["FailedNodes"]!.AsObject());
        Assert.Equal("", (string?)body["Error"]);
        Assert.Null(body["NodeNames"]);
        Assert.Empty(trigger.Pods);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filter_EveryNodeObjectRuledOut_TriggersProvisioning()
    {
        var trigger = new RecordingTrigger();
        await using var host = await ExtenderHost.StartAsync(new InMemoryCluster(), new RecordingClusterWriter(), trigger);
        using var client = host.CreateClient();
        var deleting = Builders.NodeJson("gone");
        deleting["metadata"]!["deletionTimestamp"] = "2026-12-02T14:20:03Z";
        var disrupted = Builders.NodeJson("leaving");
        disrupted["spec"]!["unschedulable"] = true;
        disrupted["spec"]!["taints"] = new JsonArray(new JsonObject { ["key"] = "karpenter.sh/disruption", ["value"] = "disrupting", ["effect"] = "NoSchedule" });

        var (status, body, _) = await ExtenderHost.PostAsync(client, "extender/filter", Builders.ArgsWithNodes(Builders.PodJson("web"), deleting, disrupted));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body!["Nodes"]!["items"]!.AsArray());
        Assert.Equal(["gone", "leaving"], body["FailedAndUnresolvableNodes"]!.AsObject().Select(p => p.Key));
        Assert.Equal("web", Assert.Single(trigger.Pods).Name);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"n","deletionTimestamp":null},"spec":{"unschedulable":true}}""")]
    [InlineData("""{"metadata":{"name":"n"},"spec":{"unschedulable":false,"taints":[{"key":"karpenter.sh/disruption","effect":"NoSchedule"}]}}""")]
    [InlineData("""{"metadata":{"name":"n"},"spec":{"unschedulable":true,"taints":[{"key":"karpenter.sh/disruptionx"},{"value":"karpenter.sh/disruption"}]}}""")]
    [InlineData("""{"metadata":{"name":"n"},"spec":{"unschedulable":true,"taints":null}}""")]
    [InlineData("""{"metadata":{"name":"n","deletionTimestamp":"2026-12-02T14:20:03Z"},"metadata":{"name":"n"}}""")]
    public async Task Filter_NodeObjectThatDoesNotRuleItselfOut_IsKept(string node)
    {
        await using var host = await ExtenderHost.StartAsync(new InMemoryCluster(), new RecordingClusterWriter());
        using var client = host.CreateClient();

        var (status, body, text) = await ExtenderHost.PostAsync(client, "extender/filter",
            $$"""{"Pod":{{Builders.PodJson("web").ToJsonString()}},"Nodes":{"metadata":{},"items":[{{node}}]},"NodeNames":null}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(body!["Nodes"]!["items"]!.AsArray());
        Assert.Empty(body["FailedAndUnresolvableNodes"]!.AsObject());
        Assert.DoesNotContain("\"n\":", text, StringComparison.Ordinal);
    }
}
