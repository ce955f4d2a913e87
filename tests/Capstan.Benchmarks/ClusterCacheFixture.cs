using System.Globalization;
using Capstan.Kubernetes.Cluster;
using k8s;
using k8s.Models;

namespace Capstan.Benchmarks;

/// <summary>
/// Nodes and pods shaped like a Karpenter-managed EKS cluster's, for the cluster cache benchmarks: nodes with the labels
/// Karpenter and the kubelet put on them (instance type, zone, region, capacity type, arch, os, the
/// <c>karpenter.k8s.aws/instance-*</c> family), capacity, allocatable and the usual conditions; pods of Deployments
/// (ReplicaSet owner, template-hash label), one container with cpu and memory requests, the two NoExecute tolerations
/// admission adds, status with conditions, bound to a node (or pending, unschedulable). Every object is written to
/// JSON and read back with KubernetesClient's serializer, so each holds its own strings, as objects read off a watch do.
/// Deterministic (seeded).
/// </summary>
public static class ClusterCacheFixture
{
    private static readonly DateTime s_epoch = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    private static readonly (string Name, string Family, string Size, int Cpu, int MemoryGi, int Pods)[] s_types =
    [
        ("m5.large", "m5", "large", 2, 8, 29),
        ("m5.xlarge", "m5", "xlarge", 4, 16, 58),
        ("m5.2xlarge", "m5", "2xlarge", 8, 32, 58),
        ("c6i.2xlarge", "c6i", "2xlarge", 8, 16, 58),
        ("r6i.xlarge", "r6i", "xlarge", 4, 32, 58),
        ("m6a.4xlarge", "m6a", "4xlarge", 16, 64, 234),
    ];

    private static readonly string[] s_zones = ["us-east-1a", "us-east-1b", "us-east-1c"];

    /// <summary>A cache that is never started (no API server): the benchmarks apply lists and events to it directly.</summary>
    public static KubernetesClusterCache NewCache() =>
        new(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));

    /// <summary>The node named <c>ip-10-…</c> with index <paramref name="index"/>, as read off the API server.</summary>
    public static V1Node Node(int index, int heartbeat = 0) => Wire(BuildNode(index, heartbeat));

    /// <summary><paramref name="count"/> nodes (see <see cref="Node"/>).</summary>
    public static List<V1Node> Nodes(int count) => [.. Enumerable.Range(0, count).Select(i => Node(i))];

    public static string NodeName(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"ip-10-{index / 65536 % 256}-{index / 256 % 256}-{index % 256}.ec2.internal");

    /// <summary>
    /// <paramref name="count"/> pods; the first <paramref name="pending"/> are pending (unschedulable), the others bound
    /// round-robin to <paramref name="nodes"/> nodes and running.
    /// </summary>
    public static List<V1Pod> Pods(int count, int nodes, int pending) =>
        [.. Enumerable.Range(0, count).Select(i => Pod(i, i < pending ? null : NodeName(i % nodes)))];

    /// <summary>
    /// Pod <paramref name="index"/> of the fixture, bound to <paramref name="nodeName"/> (running, ready unless
    /// <paramref name="ready"/> is false) or pending and unschedulable when it is null; <paramref name="phase"/>
    /// overrides the phase. Pods with an index of 10,000,000 and more do not collide with the fixture's own.
    /// </summary>
    public static V1Pod Pod(int index, string? nodeName, bool ready = true, string? phase = null) =>
        Wire(BuildPod(index, nodeName, ready, phase));

    /// <summary>The object written to JSON and read back, as KubernetesClient hands it to the watch loop.</summary>
    private static T Wire<T>(T item) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(item));

    private static V1Node BuildNode(int index, int heartbeat)
    {
        var type = s_types[index % s_types.Length];
        var zone = s_zones[index % s_zones.Length];
        var name = NodeName(index);
        var spot = index % 3 != 0;
        var created = s_epoch.AddSeconds(index);
        var beat = s_epoch.AddDays(1).AddSeconds(heartbeat);
        var cpu = type.Cpu.ToString(CultureInfo.InvariantCulture);
        var memory = string.Create(CultureInfo.InvariantCulture, $"{(type.MemoryGi * 1024L * 1024) - 374_000}Ki");
        var allocatableCpu = string.Create(CultureInfo.InvariantCulture, $"{(type.Cpu * 1000) - 70 - (type.Cpu * 10)}m");
        var allocatableMemory = string.Create(CultureInfo.InvariantCulture, $"{(type.MemoryGi * 1024L * 1024 * 9 / 10) - 374_000}Ki");
        var pods = type.Pods.ToString(CultureInfo.InvariantCulture);
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Uid = Uid(index, 1),
                ResourceVersion = (1_000_000 + index + heartbeat).ToString(CultureInfo.InvariantCulture),
                CreationTimestamp = created,
                Finalizers = ["karpenter.sh/termination"],
                Labels = new Dictionary<string, string>
                {
                    ["beta.kubernetes.io/arch"] = "amd64",
                    ["beta.kubernetes.io/instance-type"] = type.Name,
                    ["beta.kubernetes.io/os"] = "linux",
                    ["failure-domain.beta.kubernetes.io/region"] = "us-east-1",
                    ["failure-domain.beta.kubernetes.io/zone"] = zone,
                    ["k8s.io/cloud-provider-aws"] = "a94967527effcefb5f5829f529c0a1b9",
                    ["karpenter.k8s.aws/instance-category"] = type.Family[..1],
                    ["karpenter.k8s.aws/instance-cpu"] = cpu,
                    ["karpenter.k8s.aws/instance-encryption-in-transit-supported"] = "true",
                    ["karpenter.k8s.aws/instance-family"] = type.Family,
                    ["karpenter.k8s.aws/instance-generation"] = type.Family[1..2],
                    ["karpenter.k8s.aws/instance-hypervisor"] = "nitro",
                    ["karpenter.k8s.aws/instance-memory"] = (type.MemoryGi * 1024).ToString(CultureInfo.InvariantCulture),
                    ["karpenter.k8s.aws/instance-network-bandwidth"] = (type.Cpu * 1250).ToString(CultureInfo.InvariantCulture),
                    ["karpenter.k8s.aws/instance-pods"] = pods,
                    ["karpenter.k8s.aws/instance-size"] = type.Size,
                    ["karpenter.sh/capacity-type"] = spot ? "spot" : "on-demand",
                    ["karpenter.sh/initialized"] = "true",
                    ["karpenter.sh/provisioner-name"] = index % 4 == 0 ? "system" : "default",
                    ["karpenter.sh/registered"] = "true",
                    ["kubernetes.io/arch"] = "amd64",
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["node.kubernetes.io/instance-type"] = type.Name,
                    ["topology.ebs.csi.aws.com/zone"] = zone,
                    ["topology.kubernetes.io/region"] = "us-east-1",
                    ["topology.kubernetes.io/zone"] = zone,
                },
                Annotations = new Dictionary<string, string>
                {
                    ["alpha.kubernetes.io/provided-node-ip"] = IpOf(index),
                    ["csi.volume.kubernetes.io/nodeid"] = string.Create(CultureInfo.InvariantCulture, $"{{\"ebs.csi.aws.com\":\"i-0{index:x15}\"}}"),
                    ["karpenter.sh/managed-by"] = "capstan-prod",
                    ["node.alpha.kubernetes.io/ttl"] = "0",
                    ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true",
                },
            },
            Spec = new V1NodeSpec { ProviderID = string.Create(CultureInfo.InvariantCulture, $"aws:///{zone}/i-0{index:x15}") },
            Status = new V1NodeStatus
            {
                Capacity = new Dictionary<string, ResourceQuantity>
                {
                    ["cpu"] = new(cpu),
                    ["ephemeral-storage"] = new("83873772Ki"),
                    ["hugepages-1Gi"] = new("0"),
                    ["hugepages-2Mi"] = new("0"),
                    ["memory"] = new(memory),
                    ["pods"] = new(pods),
                },
                Allocatable = new Dictionary<string, ResourceQuantity>
                {
                    ["cpu"] = new(allocatableCpu),
                    ["ephemeral-storage"] = new("76224326324"),
                    ["hugepages-1Gi"] = new("0"),
                    ["hugepages-2Mi"] = new("0"),
                    ["memory"] = new(allocatableMemory),
                    ["pods"] = new(pods),
                },
                Conditions =
                [
                    NodeCondition("MemoryPressure", "False", "KubeletHasSufficientMemory", beat, created),
                    NodeCondition("DiskPressure", "False", "KubeletHasNoDiskPressure", beat, created),
                    NodeCondition("PIDPressure", "False", "KubeletHasSufficientPID", beat, created),
                    NodeCondition("Ready", "True", "KubeletReady", beat, created.AddSeconds(40)),
                ],
                Addresses =
                [
                    new V1NodeAddress { Type = "InternalIP", Address = IpOf(index) },
                    new V1NodeAddress { Type = "Hostname", Address = name },
                    new V1NodeAddress { Type = "InternalDNS", Address = name },
                ],
                NodeInfo = new V1NodeSystemInfo
                {
                    Architecture = "amd64",
                    BootID = Uid(index, 2),
                    ContainerRuntimeVersion = "containerd://1.7.11",
                    KernelVersion = "5.10.205-195.807.amzn2.x86_64",
                    KubeProxyVersion = "v1.28.5-eks-5e0fdde",
                    KubeletVersion = "v1.28.5-eks-5e0fdde",
                    MachineID = Uid(index, 3).Replace("-", "", StringComparison.Ordinal),
                    OperatingSystem = "linux",
                    OsImage = "Amazon Linux 2",
                    SystemUUID = Uid(index, 4),
                },
                DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
            },
        };
    }

    private static V1NodeCondition NodeCondition(string type, string status, string reason, DateTime heartbeat, DateTime transition) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = "kubelet is posting ready status",
        LastHeartbeatTime = heartbeat,
        LastTransitionTime = transition,
    };

    private static V1Pod BuildPod(int index, string? nodeName, bool ready, string? phase)
    {
        // Deployments of 20 replicas in 40 namespaces.
        var deployment = index / 20;
        var app = string.Create(CultureInfo.InvariantCulture, $"svc-{deployment:D4}");
        var hash = string.Create(CultureInfo.InvariantCulture, $"{Mix(deployment, 7):x8}{deployment % 100:D2}");
        var replicaSet = $"{app}-{hash}";
        var name = string.Create(CultureInfo.InvariantCulture, $"{replicaSet}-{Suffix(index)}");
        var ns = string.Create(CultureInfo.InvariantCulture, $"team-{deployment % 40:D2}");
        var created = s_epoch.AddSeconds(index);
        var bound = nodeName is not null;
        var running = (phase ?? (bound ? "Running" : "Pending")) == "Running";
        var readiness = bound && ready ? "True" : "False";
        var cpu = (100 + (deployment % 8 * 50)).ToString(CultureInfo.InvariantCulture) + "m";
        var memory = (128 + (deployment % 6 * 128)).ToString(CultureInfo.InvariantCulture) + "Mi";
        List<V1PodCondition> conditions = bound
            ?
            [
                PodCondition("Initialized", "True", null, created.AddSeconds(3)),
                PodCondition("Ready", readiness, ready ? null : "ContainersNotReady", created.AddSeconds(12)),
                PodCondition("ContainersReady", readiness, ready ? null : "ContainersNotReady", created.AddSeconds(12)),
                PodCondition("PodScheduled", "True", null, created.AddSeconds(1)),
            ]
            : [PodCondition("PodScheduled", "False", "Unschedulable", created.AddSeconds(1))];
        if (!bound)
        {
            conditions[0].Message = "0/5000 nodes are available: 5000 Insufficient cpu. preemption: 0/5000 nodes are available: 5000 No preemption victims found for incoming pod.";
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                GenerateName = replicaSet + "-",
                NamespaceProperty = ns,
                Uid = Uid(index, 10),
                ResourceVersion = (2_000_000 + index).ToString(CultureInfo.InvariantCulture),
                CreationTimestamp = created,
                Labels = new Dictionary<string, string>
                {
                    ["app"] = app,
                    ["app.kubernetes.io/name"] = app,
                    ["app.kubernetes.io/part-of"] = ns,
                    ["pod-template-hash"] = hash,
                },
                Annotations = new Dictionary<string, string>
                {
                    ["kubectl.kubernetes.io/restartedAt"] = "2024-02-28T10:00:00Z",
                },
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "apps/v1",
                        Kind = "ReplicaSet",
                        Name = replicaSet,
                        Uid = Uid(deployment, 11),
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = new V1PodSpec
            {
                NodeName = nodeName,
                SchedulerName = "default-scheduler",
                ServiceAccountName = "default",
                RestartPolicy = "Always",
                DnsPolicy = "ClusterFirst",
                TerminationGracePeriodSeconds = 30,
                Priority = 0,
                PreemptionPolicy = "PreemptLowerPriority",
                EnableServiceLinks = true,
                Containers =
                [
                    new V1Container
                    {
                        Name = "app",
                        Image = string.Create(CultureInfo.InvariantCulture, $"123456789012.dkr.ecr.us-east-1.amazonaws.com/{app}:1.4.{deployment % 9}"),
                        ImagePullPolicy = "IfNotPresent",
                        Ports = [new V1ContainerPort { ContainerPort = 8080, Name = "http", Protocol = "TCP" }],
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) },
                            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(memory) },
                        },
                        TerminationMessagePath = "/dev/termination-log",
                        TerminationMessagePolicy = "File",
                    },
                ],
                Tolerations =
                [
                    new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                    new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                ],
            },
            Status = new V1PodStatus
            {
                Phase = phase ?? (bound ? "Running" : "Pending"),
                QosClass = "Burstable",
                Conditions = conditions,
                HostIP = bound ? IpOf(index % 5000) : null,
                PodIP = bound ? IpOf(100_000 + index) : null,
                StartTime = bound ? created.AddSeconds(2) : null,
                ContainerStatuses = bound
                    ?
                    [
                        new V1ContainerStatus
                        {
                            Name = "app",
                            Image = string.Create(CultureInfo.InvariantCulture, $"123456789012.dkr.ecr.us-east-1.amazonaws.com/{app}:1.4.{deployment % 9}"),
                            ImageID = string.Create(CultureInfo.InvariantCulture, $"sha256:{Mix(deployment, 3):x8}"),
                            ContainerID = string.Create(CultureInfo.InvariantCulture, $"containerd://{Mix(index, 5):x8}"),
                            Ready = ready,
                            Started = running,
                            RestartCount = ready ? 0 : 1,
                            State = running ? new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = created.AddSeconds(5) } } : null,
                        },
                    ]
                    : null,
            },
        };
    }

    private static V1PodCondition PodCondition(string type, string status, string? reason, DateTime transition) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        LastTransitionTime = transition,
    };

    private static string IpOf(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"10.{index / 65536 % 256}.{index / 256 % 256}.{index % 256}");

    private static string Uid(int index, int salt)
    {
        var random = new Random((int)Mix(index, salt));
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    /// <summary>A fixed mix of two numbers (<see cref="HashCode"/> is seeded per process, this is the same every run).</summary>
    private static uint Mix(int value, int salt)
    {
        var x = ((uint)value * 0x9E3779B1u) ^ ((uint)salt * 0x85EBCA77u);
        x ^= x >> 15;
        x *= 0x2C1B3C6Du;
        x ^= x >> 12;
        return x & 0x7FFFFFFF;
    }

    private static string Suffix(int index)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> chars = stackalloc char[5];
        var value = index;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[value % alphabet.Length];
            value /= alphabet.Length;
        }

        return new string(chars);
    }
}
