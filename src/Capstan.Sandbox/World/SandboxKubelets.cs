using System.Globalization;
using System.Text.Json.Nodes;
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
/// whose instance has gone stops reporting: Ready=Unknown.
/// </summary>
public sealed class SandboxKubelets
{
    private static readonly (string Type, string Healthy)[] s_pressures =
        [("MemoryPressure", "KubeletHasSufficientMemory"), ("DiskPressure", "KubeletHasNoDiskPressure"), ("PIDPressure", "KubeletHasSufficientPID")];

    private static readonly string[] s_startedConditions = ["Initialized", "Ready", "ContainersReady", "PodScheduled"];

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
