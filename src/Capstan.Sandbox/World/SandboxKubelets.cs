using System.Globalization;
using System.Text.Json.Nodes;
using Capstan.Core.InstanceTypes;
using Capstan.Core.NodeGroups;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Aws;
using Capstan.Sandbox.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.World;

/// <summary>
/// The kubelets of the sandbox's EC2 instances. A Node whose <c>providerID</c> names a running instance turns Ready
/// <see cref="BootTime"/> after the instance was launched: conditions, node info and addresses written, the
/// not-ready taints and its provisioner's startup taints removed (what the kubelet, the cloud controller and a
/// startup agent do). Pods bound to a Ready node start <see cref="PodStartTime"/> after binding (Running, Ready,
/// an IP); pods being deleted on a node are confirmed gone, as the kubelet does once their containers stop. A node
/// whose instance has gone stops reporting: Ready=Unknown. An instance of an Auto Scaling group registers its own
/// Node once it runs, as a managed node group's kubelet does (labels from the instance and the group's node-template
/// tags, NotReady with the not-ready taint until it boots); and, as the cloud node lifecycle controller does, a Node
/// without finalizers whose instance has terminated is deleted <see cref="NodeDeletionDelay"/> later (Capstan's own
/// nodes carry its termination finalizer and are left to Capstan).
/// </summary>
public sealed class SandboxKubelets
{
    private static readonly (string Type, string Healthy)[] s_pressures =
        [("MemoryPressure", "KubeletHasSufficientMemory"), ("DiskPressure", "KubeletHasNoDiskPressure"), ("PIDPressure", "KubeletHasSufficientPID")];

    private static readonly string[] s_startedConditions = ["Initialized", "Ready", "ContainersReady", "PodScheduled"];

    /// <summary>The label EKS puts on a managed node group's nodes: the group's name.</summary>
    public const string NodeGroupLabel = "eks.amazonaws.com/nodegroup";

    /// <summary>The label EKS puts on a managed node group's nodes: ON_DEMAND or SPOT.</summary>
    public const string CapacityTypeLabel = "eks.amazonaws.com/capacityType";

    private readonly ObjectStore _store;
    private readonly Ec2StandIn _ec2;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _podAddresses;

    public SandboxKubelets(ObjectStore store, Ec2StandIn ec2, TimeProvider time, ILogger<SandboxKubelets> logger)
    {
        _store = store;
        _ec2 = ec2;
        _time = time;
        _logger = logger;
    }

    /// <summary>From launch to a Ready node (EC2 boot, bootstrap, kubelet registration).</summary>
    public TimeSpan BootTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>From binding on a Ready node to a Running pod (image pull, container start).</summary>
    public TimeSpan PodStartTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a deleted pod's containers take to stop (at most its grace period).</summary>
    public TimeSpan StopTime { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>From an instance's termination to the deletion of its Node (one without finalizers).</summary>
    public TimeSpan NodeDeletionDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The Auto Scaling groups whose instances register their own Nodes; null when the world has none.</summary>
    public AutoScalingStandIn? AutoScaling { get; set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                try
                {
                    Pass();
                }
                catch (ApiException e)
                {
                    SandboxLog.KubeletPassFailed(_logger, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <summary>One round of every kubelet.</summary>
    public void Pass()
    {
        var now = _time.GetUtcNow();
        var instances = _ec2.Instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        var (nodes, _) = _store.List(ApiResources.Nodes);
        if (AutoScaling is { } groups)
        {
            nodes = [.. nodes, .. RegisterGroupNodes(groups, instances.Values, nodes, now)];
        }

        var ready = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var name = ObjectStore.NameOf(node);
            if (InstanceId(node) is not { } id)
            {
                // Not one of ours (a node a test or user added): its readiness is as written.
                if (PodConditions.StatusOf(node, "Ready") == "True")
                {
                    ready.Add(name);
                }

                continue;
            }

            var instance = instances.GetValueOrDefault(id);
            var state = instance?.StateAt(now) ?? "terminated";
            if (state == "terminated" && instance?.TerminatedAt is { } terminatedAt && now >= terminatedAt + NodeDeletionDelay
                && node["metadata"]?["finalizers"] is not JsonArray { Count: > 0 } && node["metadata"]?["deletionTimestamp"] is null)
            {
                Try(() => _store.Delete(ApiResources.Nodes, null, name));
                SandboxLog.NodeOfGoneInstanceDeleted(_logger, name, id);
                continue;
            }

            if (state == "running" && now >= instance!.LaunchTime + BootTime)
            {
                if (PodConditions.StatusOf(node, "Ready") != "True" || HasNotReadyTaints(node))
                {
                    Register(node, instance, now);
                }

                ready.Add(name);
            }
            else if (state is "terminated" or "shutting-down" or "stopped" && PodConditions.StatusOf(node, "Ready") == "True")
            {
                Try(() => _store.Update(ApiResources.Nodes, null, name, n =>
                {
                    SetNodeConditions(n, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", now);
                    return n;
                }, internalWrite: true));
            }
        }

        var (pods, _) = _store.List(ApiResources.Pods, filter: p => !string.IsNullOrEmpty((string?)p["spec"]?["nodeName"]));
        foreach (var pod in pods)
        {
            var node = (string)pod["spec"]!["nodeName"]!;
            if (!ready.Contains(node))
            {
                continue;
            }

            var ns = ObjectStore.NamespaceOf(pod);
            var name = ObjectStore.NameOf(pod);
            if (ObjectStore.ParseTimestamp(pod["metadata"]?["deletionTimestamp"]) is { } deadline)
            {
                var asked = deadline - TimeSpan.FromSeconds(JsonNumbers.Whole(pod["metadata"]?["deletionGracePeriodSeconds"]) ?? 0);
                if (now >= deadline || now >= asked + StopTime)
                {
                    Try(() => _store.Delete(ApiResources.Pods, ns, name, gracePeriodSeconds: 0));
                }

                continue;
            }

            if ((string?)pod["status"]?["phase"] is "Pending" or null)
            {
                // A pod created with its node already set (no scheduler involved) counts from its creation.
                var scheduledAt = ScheduledAt(pod) ?? ObjectStore.ParseTimestamp(pod["metadata"]?["creationTimestamp"]) ?? now;
                if (now >= scheduledAt + PodStartTime)
                {
                    Start(pod, node, now);
                }
            }
        }
    }

    /// <summary>Nodes for the running instances of groups that have none yet, created NotReady; returns them.</summary>
    private List<JsonObject> RegisterGroupNodes(AutoScalingStandIn groups, IEnumerable<StandInInstance> instances, IReadOnlyList<JsonObject> nodes, DateTimeOffset now)
    {
        var registered = nodes.Select(InstanceId).Where(id => id is not null).ToHashSet(StringComparer.Ordinal);
        var created = new List<JsonObject>();
        Dictionary<string, AutoScalingGroupState>? byName = null;
        foreach (var instance in instances)
        {
            if (!instance.Tags.TryGetValue(AutoScalingStandIn.GroupNameTag, out var groupName) || registered.Contains(instance.InstanceId) || instance.StateAt(now) != "running")
            {
                continue;
            }

            byName ??= groups.Groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
            var tags = byName.TryGetValue(groupName, out var group)
                ? group.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
            var node = GroupNode(instance, groupName, NodeGroupTemplate.FromTags(tags), now);
            try
            {
                created.Add(_store.Create(ApiResources.Nodes, node));
                SandboxLog.GroupNodeRegistered(_logger, instance.PrivateDnsName, groupName, instance.InstanceId);
            }
            catch (ApiException e) when (e.Code == 409)
            {
                // Registered in between.
            }
        }

        return created;
    }

    /// <summary>The Node a managed node group's kubelet registers: the instance's facts, the group's labels and taints, not ready yet.</summary>
    private JsonObject GroupNode(StandInInstance instance, string groupName, NodeGroupTemplate template, DateTimeOffset now)
    {
        var spec = _ec2.InstanceTypeOf(instance.InstanceType);
        var labels = new JsonObject();
        foreach (var (key, value) in template.Labels)
        {
            labels[key] = value;
        }

        labels[Labels.Hostname] = instance.PrivateDnsName;
        labels[Labels.InstanceType] = instance.InstanceType;
        labels[Labels.Zone] = instance.Zone;
        labels[Labels.Region] = instance.Zone.TrimEnd("abcdefghijklmnopqrstuvwxyz".ToCharArray());
        labels[Labels.Arch] = spec?.Architecture ?? "amd64";
        labels[Labels.Os] = "linux";
        labels[NodeGroupLabel] = groupName;
        labels[CapacityTypeLabel] = instance.Lifecycle == "spot" ? "SPOT" : "ON_DEMAND";
        var taints = new JsonArray([.. template.Taints.Select(t => (JsonNode)Taint(t.Key, t.Value, Capstan.Core.Scheduling.Taint.EffectName(t.Effect)))]);
        taints.Add(Taint("node.kubernetes.io/not-ready", "", "NoSchedule"));
        var status = new JsonObject();
        if (spec is not null)
        {
            var capacity = AllocatableCalculator.Capacity(spec, KubeletSettings.Default);
            var allocatable = capacity.Subtract(AllocatableCalculator.Overhead(spec, KubeletSettings.Default, capacity));
            status["capacity"] = Resources(capacity.ToStrings());
            status["allocatable"] = Resources(allocatable.ToStrings());
        }

        var node = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = instance.PrivateDnsName, ["labels"] = labels },
            ["spec"] = new JsonObject { ["providerID"] = $"aws:///{instance.Zone}/{instance.InstanceId}", ["taints"] = taints },
            ["status"] = status,
        };
        SetNodeConditions(node, "False", "KubeletNotReady", "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady", now);
        return node;

        static JsonObject Taint(string key, string value, string effect)
        {
            var taint = new JsonObject { ["key"] = key, ["effect"] = effect };
            if (value.Length > 0)
            {
                taint["value"] = value;
            }

            return taint;
        }

        static JsonObject Resources(IEnumerable<KeyValuePair<string, string>> values)
        {
            var result = new JsonObject();
            foreach (var (name, value) in values)
            {
                result[name] = value;
            }

            return result;
        }
    }

    private static string? InstanceId(JsonObject node) =>
        (string?)node["spec"]?["providerID"] is { } provider && provider.StartsWith("aws:///", StringComparison.Ordinal) ? provider[(provider.LastIndexOf('/') + 1)..] : null;

    private static bool HasNotReadyTaints(JsonObject node) =>
        (node["spec"]?["taints"] as JsonArray ?? []).Any(t => Labels.NotReadyTaints.Contains((string?)t?["key"] ?? ""));

    private static DateTimeOffset? ScheduledAt(JsonObject pod) =>
        ObjectStore.ParseTimestamp((pod["status"]?["conditions"] as JsonArray ?? []).FirstOrDefault(c => (string?)c?["type"] == "PodScheduled")?["lastTransitionTime"]);

    private void Register(JsonObject node, StandInInstance instance, DateTimeOffset now)
    {
        var name = ObjectStore.NameOf(node);
        var provisioner = (string?)node["metadata"]?["labels"]?["karpenter.sh/provisioner-name"];
        var startup = provisioner is null ? [] : (_store.Get(ApiResources.Provisioners, null, provisioner)?["spec"]?["startupTaints"] as JsonArray ?? []);
        Try(() => _store.Update(ApiResources.Nodes, null, name, n =>
        {
            var spec = n["spec"] as JsonObject ?? new JsonObject();
            n["spec"] = spec;
            var taints = (spec["taints"] as JsonArray ?? []).Where(t =>
                !Labels.NotReadyTaints.Contains((string?)t?["key"] ?? "")
                && !startup.Any(s => (string?)s?["key"] == (string?)t?["key"] && (string?)s?["effect"] == (string?)t?["effect"])).Select(t => t!.DeepClone()).ToList();
            if (taints.Count == 0)
            {
                spec.Remove("taints");
            }
            else
            {
                spec["taints"] = new JsonArray([.. taints]);
            }

            var status = n["status"] as JsonObject ?? new JsonObject();
            n["status"] = status;
            status["nodeInfo"] = new JsonObject
            {
                ["kubeletVersion"] = "v1.29.0-eks-sandbox",
                ["kubeProxyVersion"] = "v1.29.0-eks-sandbox",
                ["osImage"] = "Amazon Linux 2",
                ["kernelVersion"] = "5.10.205-195.807.amzn2.x86_64",
                ["containerRuntimeVersion"] = "containerd://1.7.11",
                ["operatingSystem"] = "linux",
                ["architecture"] = (string?)n["metadata"]?["labels"]?["kubernetes.io/arch"] ?? "amd64",
                ["machineID"] = instance.InstanceId,
                ["systemUUID"] = instance.InstanceId,
                ["bootID"] = instance.InstanceId,
            };
            status["addresses"] = new JsonArray(
                new JsonObject { ["type"] = "InternalIP", ["address"] = instance.PrivateIpAddress },
                new JsonObject { ["type"] = "InternalDNS", ["address"] = instance.PrivateDnsName },
                new JsonObject { ["type"] = "Hostname", ["address"] = instance.PrivateDnsName });
            status["capacity"] ??= status["allocatable"]?.DeepClone();
            status["allocatable"] ??= status["capacity"]?.DeepClone();
            SetNodeConditions(n, "True", "KubeletReady", "kubelet is posting ready status", now);
            return n;
        }, internalWrite: true));
        SandboxLog.NodeReady(_logger, name, instance.InstanceId);
    }

    private static void SetNodeConditions(JsonObject node, string ready, string reason, string message, DateTimeOffset now)
    {
        foreach (var (type, healthy) in s_pressures)
        {
            PodConditions.Set(node, type, ready == "True" ? "False" : "Unknown", ready == "True" ? healthy : reason, ready == "True" ? "kubelet has no " + type : message, now);
        }

        PodConditions.Set(node, "Ready", ready, reason, message, now);
        foreach (var condition in node["status"]!["conditions"]!.AsArray().OfType<JsonObject>())
        {
            condition.Remove("lastProbeTime");
            condition["lastHeartbeatTime"] = ObjectStore.Timestamp(now);
        }

    }

    private void Start(JsonObject pod, string nodeName, DateTimeOffset now)
    {
        var node = _store.Get(ApiResources.Nodes, null, nodeName);
        var hostIp = (string?)(node?["status"]?["addresses"] as JsonArray ?? []).FirstOrDefault(a => (string?)a?["type"] == "InternalIP")?["address"] ?? "10.0.0.1";
        var serial = Interlocked.Increment(ref _podAddresses);
        var podIp = string.Create(CultureInfo.InvariantCulture, $"10.{100 + serial / 65536 % 100}.{serial / 256 % 256}.{serial % 256}");
        Try(() => _store.Update(ApiResources.Pods, ObjectStore.NamespaceOf(pod), ObjectStore.NameOf(pod), p =>
        {
            if ((string?)p["status"]?["phase"] is not ("Pending" or null) || p["metadata"]?["deletionTimestamp"] is not null)
            {
                return null;
            }

            var status = p["status"] as JsonObject ?? new JsonObject();
            p["status"] = status;
            status["phase"] = "Running";
            status["hostIP"] = hostIp;
            status["podIP"] = podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
            status["startTime"] = ObjectStore.Timestamp(now);
            foreach (var type in s_startedConditions)
            {
                PodConditions.Set(p, type, "True", null, null, now);
            }

            status["containerStatuses"] = new JsonArray([.. (p["spec"]?["containers"] as JsonArray ?? []).Select(c => (JsonNode)new JsonObject
            {
                ["name"] = (string?)c?["name"],
                ["image"] = (string?)c?["image"],
                ["imageID"] = "",
                ["containerID"] = "containerd://" + Guid.NewGuid().ToString("N"),
                ["ready"] = true,
                ["started"] = true,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = ObjectStore.Timestamp(now) } },
            })]);
            return p;
        }, internalWrite: true));
    }

    private static void Try(Action write)
    {
        try
        {
            write();
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Changed or gone in between: the next round looks again.
        }
    }
}
