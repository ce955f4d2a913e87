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

    /// <summary>An <c>apps/v1</c> DaemonSet whose pod template has one container requesting <paramref name="cpu"/> and <paramref name="memory"/>.</summary>
    public static JsonObject DaemonSet(string daemonSetNamespace, string name, string cpu = "100m", string memory = "128Mi") => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "DaemonSet",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = daemonSetNamespace },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "agent",
                        ["image"] = "agent",
                        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory } },
                    }),
                },
            },
        },
        ["status"] = new JsonObject { ["numberReady"] = 0 },
    };

    /// <summary>A Namespace with labels.</summary>
    public static JsonObject Namespace(string name, IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = Map(labels) },
        ["status"] = new JsonObject { ["phase"] = "Active" },
    };

    /// <summary>
    /// A <c>policy/v1</c> PodDisruptionBudget selecting <c>app=<paramref name="app"/></c>; <paramref name="minAvailable"/> and
    /// <paramref name="maxUnavailable"/> are written as a number when they are one (<c>2</c>), else as a string (<c>"50%"</c>).
    /// </summary>
    public static JsonObject DisruptionBudget(string budgetNamespace, string name, string app, string? minAvailable = null,
        string? maxUnavailable = null, int disruptionsAllowed = 0)
    {
        var spec = new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } } };
        if (minAvailable is not null)
        {
            spec["minAvailable"] = IntOrString(minAvailable);
        }

        if (maxUnavailable is not null)
        {
            spec["maxUnavailable"] = IntOrString(maxUnavailable);
        }

        return new JsonObject
        {
            ["apiVersion"] = "policy/v1",
            ["kind"] = "PodDisruptionBudget",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = budgetNamespace },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["disruptionsAllowed"] = disruptionsAllowed,
                ["currentHealthy"] = 0,
                ["desiredHealthy"] = 0,
                ["expectedPods"] = 0,
            },
        };
    }

    /// <summary>A <c>karpenter.k8s.aws/v1alpha1</c> AWSNodeTemplate with subnet and security-group selectors.</summary>
    public static JsonObject AwsNodeTemplate(string name, string amiFamily = "AL2", string discoveryTag = "my-cluster") => new()
    {
        ["apiVersion"] = "karpenter.k8s.aws/v1alpha1",
        ["kind"] = "AWSNodeTemplate",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["amiFamily"] = amiFamily,
            ["subnetSelector"] = new JsonObject { ["karpenter.sh/discovery"] = discoveryTag },
            ["securityGroupSelector"] = new JsonObject { ["karpenter.sh/discovery"] = discoveryTag },
        },
    };

    private static JsonNode IntOrString(string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(value);

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
