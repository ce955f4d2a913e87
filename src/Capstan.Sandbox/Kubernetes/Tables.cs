using System.Globalization;
using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// Server-side printing: the <c>meta.k8s.io/v1</c> Table that kubectl asks for (<c>Accept: ...;as=Table</c>) and
/// prints as it comes, with the columns the real API server gives pods, nodes, deployments and replica sets (the
/// ones of priority 1 appear with <c>-o wide</c>), and NAME and AGE for every other kind.
/// </summary>
public static class Tables
{
    private static readonly (string Name, string Type, int Priority)[] s_default = [("Name", "string", 0), ("Age", "string", 0)];

    private static readonly (string Name, string Type, int Priority)[] s_pods =
    [
        ("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0), ("Age", "string", 0),
        ("IP", "string", 1), ("Node", "string", 1), ("Nominated Node", "string", 1), ("Readiness Gates", "string", 1),
    ];

    private static readonly (string Name, string Type, int Priority)[] s_nodes =
    [
        ("Name", "string", 0), ("Status", "string", 0), ("Roles", "string", 0), ("Age", "string", 0), ("Version", "string", 0),
        ("Internal-IP", "string", 1), ("External-IP", "string", 1), ("OS-Image", "string", 1), ("Kernel-Version", "string", 1),
        ("Container-Runtime", "string", 1),
    ];

    private static readonly (string Name, string Type, int Priority)[] s_deployments =
    [
        ("Name", "string", 0), ("Ready", "string", 0), ("Up-to-date", "integer", 0), ("Available", "integer", 0), ("Age", "string", 0),
        ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1),
    ];

    private static readonly (string Name, string Type, int Priority)[] s_replicaSets =
    [
        ("Name", "string", 0), ("Desired", "integer", 0), ("Current", "integer", 0), ("Ready", "integer", 0), ("Age", "string", 0),
        ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1),
    ];

    private static readonly (string Name, string Type, int Priority)[] s_events =
    [
        ("Last Seen", "string", 0), ("Type", "string", 0), ("Reason", "string", 0), ("Object", "string", 0), ("Message", "string", 0),
    ];

    /// <summary>Whether an <c>Accept</c> header asks for a Table.</summary>
    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    /// <summary>The table of <paramref name="items"/>; <paramref name="include"/> is the <c>includeObject</c> parameter.</summary>
    public static JsonObject Of(ApiResource resource, IEnumerable<JsonObject> items, DateTimeOffset now, string? include, JsonObject? listMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(items);
        var columns = ColumnsOf(resource);
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata ?? new JsonObject(),
        };
        table["columnDefinitions"] = new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["type"] = c.Type,
            ["format"] = c.Name == "Name" ? "name" : "",
            ["description"] = "",
            ["priority"] = c.Priority,
        })]);

        table["rows"] = new JsonArray([.. items.Select(o => (JsonNode)Row(resource, o, now, include))]);
        return table;
    }

    private static (string Name, string Type, int Priority)[] ColumnsOf(ApiResource resource) => resource.Plural switch
    {
        "pods" => s_pods,
        "nodes" => s_nodes,
        "deployments" => s_deployments,
        "replicasets" => s_replicaSets,
        "events" => s_events,
        _ => s_default,
    };

    private static JsonObject Row(ApiResource resource, JsonObject obj, DateTimeOffset now, string? include)
    {
        var age = Age(ObjectStore.ParseTimestamp(obj["metadata"]?["creationTimestamp"]), now);
        var name = ObjectStore.NameOf(obj);
        JsonNode?[] cells = resource.Plural switch
        {
            "pods" => PodCells(obj, name, age),
            "nodes" => NodeCells(obj, name, age),
            "deployments" => DeploymentCells(obj, name, age),
            "replicasets" => ReplicaSetCells(obj, name, age),
            "events" => EventCells(obj, now),
            _ => [name, age],
        };
        var row = new JsonObject { ["cells"] = new JsonArray(cells) };
        if (include is null or "Metadata")
        {
            row["object"] = new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = obj["metadata"]?.DeepClone(),
            };
        }
        else if (include == "Object")
        {
            row["object"] = obj.DeepClone();
        }

        return row;
    }

    private static JsonNode?[] PodCells(JsonObject pod, string name, string age)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var statuses = pod["status"]?["containerStatuses"] as JsonArray ?? [];
        var ready = statuses.Count(s => (bool?)s?["ready"] == true);
        var restarts = statuses.Sum(s => JsonNumbers.Count(s?["restartCount"]) ?? 0);
        var phase = (string?)pod["status"]?["phase"] ?? "Pending";
        var status = pod["metadata"]?["deletionTimestamp"] is not null
            ? "Terminating"
            : phase == "Pending" && !string.IsNullOrEmpty((string?)pod["spec"]?["nodeName"]) ? "ContainerCreating" : phase;
        return
        [
            name, $"{ready}/{containers}", status, restarts.ToString(CultureInfo.InvariantCulture), age,
            (string?)pod["status"]?["podIP"] ?? "<none>", (string?)pod["spec"]?["nodeName"] ?? "<none>",
            (string?)pod["status"]?["nominatedNodeName"] ?? "<none>", "<none>",
        ];
    }

    private static JsonNode?[] NodeCells(JsonObject node, string name, string age)
    {
        var ready = (node["status"]?["conditions"] as JsonArray ?? []).FirstOrDefault(c => (string?)c?["type"] == "Ready");
        var status = (string?)ready?["status"] switch
        {
            "True" => "Ready",
            "False" => "NotReady",
            _ => "Unknown",
        };
        if ((bool?)node["spec"]?["unschedulable"] == true)
        {
            status += ",SchedulingDisabled";
        }

        var roles = (node["metadata"]?["labels"] as JsonObject ?? []).Select(kv => kv.Key)
            .Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(k => k["node-role.kubernetes.io/".Length..]).ToList();
        var info = node["status"]?["nodeInfo"];
        string Address(string type) => (string?)(node["status"]?["addresses"] as JsonArray ?? []).FirstOrDefault(a => (string?)a?["type"] == type)?["address"] ?? "<none>";
        return
        [
            name, status, roles.Count == 0 ? "<none>" : string.Join(',', roles), age, (string?)info?["kubeletVersion"] ?? "",
            Address("InternalIP"), Address("ExternalIP"), (string?)info?["osImage"] ?? "<unknown>", (string?)info?["kernelVersion"] ?? "<unknown>",
            (string?)info?["containerRuntimeVersion"] ?? "<unknown>",
        ];
    }

    private static JsonNode?[] DeploymentCells(JsonObject deployment, string name, string age)
    {
        var desired = JsonNumbers.Count(deployment["spec"]?["replicas"]) ?? 1;
        var status = deployment["status"];
        return
        [
            name, $"{JsonNumbers.Count(status?["readyReplicas"]) ?? 0}/{desired}", JsonNumbers.Count(status?["updatedReplicas"]) ?? 0, JsonNumbers.Count(status?["availableReplicas"]) ?? 0, age,
            .. Template(deployment),
        ];
    }

    private static JsonNode?[] ReplicaSetCells(JsonObject set, string name, string age)
    {
        var status = set["status"];
        return
        [
            name, JsonNumbers.Count(set["spec"]?["replicas"]) ?? 1, JsonNumbers.Count(status?["replicas"]) ?? 0, JsonNumbers.Count(status?["readyReplicas"]) ?? 0, age,
            .. Template(set),
        ];
    }

    private static JsonNode?[] Template(JsonObject workload)
    {
        var containers = workload["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [];
        var selector = workload["spec"]?["selector"]?["matchLabels"] as JsonObject ?? [];
        return
        [
            string.Join(',', containers.Select(c => (string?)c?["name"])),
            string.Join(',', containers.Select(c => (string?)c?["image"])),
            string.Join(',', selector.Select(kv => $"{kv.Key}={(string?)kv.Value}")),
        ];
    }

    private static JsonNode?[] EventCells(JsonObject e, DateTimeOffset now)
    {
        var last = ObjectStore.ParseTimestamp(e["lastTimestamp"]) ?? ObjectStore.ParseTimestamp(e["eventTime"]) ?? ObjectStore.ParseTimestamp(e["metadata"]?["creationTimestamp"]);
        var involved = e["involvedObject"];
        return
        [
            Age(last, now), (string?)e["type"] ?? "Normal", (string?)e["reason"] ?? "",
            $"{((string?)involved?["kind"])?.ToLowerInvariant()}/{(string?)involved?["name"]}", (string?)e["message"] ?? "",
        ];
    }

    /// <summary>The short ages kubectl shows (<c>45s</c>, <c>3m12s</c>, <c>2d4h</c>).</summary>
    public static string Age(DateTimeOffset? since, DateTimeOffset now)
    {
        if (since is not { } start)
        {
            return "<unknown>";
        }

        var seconds = (long)(now - start).TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        seconds = Math.Max(0, seconds);
        var minutes = seconds / 60;
        var hours = minutes / 60;
        return seconds switch
        {
            < 120 => $"{seconds}s",
            _ when minutes < 10 => seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s",
            _ when minutes < 180 => $"{minutes}m",
            _ when hours < 8 => minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m",
            _ when hours < 48 => $"{hours}h",
            _ when hours < 192 => hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h",
            _ when hours < 24 * 365 * 2 => $"{hours / 24}d",
            _ => $"{hours / 24 / 365}y",
        };
    }
}
