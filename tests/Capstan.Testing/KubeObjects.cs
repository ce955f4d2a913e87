using System.Text.Json.Nodes;

namespace Capstan.Testing;

/// <summary>Kubernetes objects as the API server serves them (JSON), for <see cref="FakeApiServer"/>.</summary>
public static class KubeObjects
{
    /// <summary>A pod with one container requesting <paramref name="cpu"/> (and optionally memory).</summary>
    public static JsonObject Pod(string podNamespace, string name, string? uid = null, string? nodeName = null, string? cpu = null,
        string? memory = null, string phase = "Pending", IReadOnlyDictionary<string, string>? labels = null)
    {
        var requests = new JsonObject();
        if (cpu is not null)
        {
            requests["cpu"] = cpu;
        }

        if (memory is not null)
        {
            requests["memory"] = memory;
        }

        var spec = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app", ["resources"] = new JsonObject { ["requests"] = requests } }),
        };
        if (nodeName is not null)
        {
            spec["nodeName"] = nodeName;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = podNamespace,
                ["uid"] = uid ?? $"uid-{podNamespace}-{name}",
                ["labels"] = Map(labels),
            },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["phase"] = phase },
        };
    }

    /// <summary>A node with capacity = allocatable, and a Ready condition.</summary>
    public static JsonObject Node(string name, string cpu = "4", string memory = "16Gi", string pods = "110", bool ready = true,
        IReadOnlyDictionary<string, string>? labels = null, bool unschedulable = false)
    {
        JsonObject Resources() => new() { ["cpu"] = cpu, ["memory"] = memory, ["pods"] = pods };
        var spec = new JsonObject();
        if (unschedulable)
        {
            spec["unschedulable"] = true;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = Map(labels) },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["capacity"] = Resources(),
                ["allocatable"] = Resources(),
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
            },
        };
    }

    /// <summary>A <c>karpenter.sh/v1alpha5</c> Provisioner with labels and a provider reference.</summary>
    public static JsonObject Provisioner(string name, IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "karpenter.sh/v1alpha5",
        ["kind"] = "Provisioner",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["labels"] = Map(labels),
            ["providerRef"] = new JsonObject { ["name"] = "default" },
        },
    };

    private static JsonObject Map(IReadOnlyDictionary<string, string>? values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values ?? new Dictionary<string, string>())
        {
            map[key] = value;
        }

        return map;
    }
}
