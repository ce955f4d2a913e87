namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// One kind the API stand-in serves: where it lives (<c>/api/v1</c> or <c>/apis/{group}/{version}</c>), its plural
/// and short names for discovery (kubectl resolves <c>deploy</c>, <c>po</c>, <c>no</c> through them), whether it is
/// namespaced, and which subresources it has.
/// </summary>
public sealed record ApiResource(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Subresources)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string Singular => Kind.ToLowerInvariant();

    /// <summary>The collection's path prefix: <c>/api/v1</c> or <c>/apis/{group}/{version}</c>.</summary>
    public string GroupVersionPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    public bool HasStatus => Subresources.Contains("status");

    public string ListKind => Kind + "List";

    /// <summary>A custom resource (served from a CRD): no strategic merge patch, as the API server refuses it for CRDs.</summary>
    public bool Custom { get; init; }

    /// <summary>A replace (PUT) of a missing object creates it, as the server allows for Leases and Events.</summary>
    public bool CreateOnUpdate { get; init; }

    /// <summary>A replace (PUT) must carry <c>metadata.resourceVersion</c> (no unconditional updates), as for Leases.</summary>
    public bool ConditionalUpdateOnly { get; init; }
}

/// <summary>The kinds the sandbox cluster knows: what Capstan reads and writes, and what the tutorials apply.</summary>
public static class ApiResources
{
    public static readonly ApiResource Namespaces = new("", "v1", "namespaces", "Namespace", false, ["ns"], ["status"]);
    public static readonly ApiResource Nodes = new("", "v1", "nodes", "Node", false, ["no"], ["status"]);
    public static readonly ApiResource Pods = new("", "v1", "pods", "Pod", true, ["po"], ["status", "binding", "eviction"]);
    public static readonly ApiResource Events = new("", "v1", "events", "Event", true, ["ev"], []) { CreateOnUpdate = true };
    public static readonly ApiResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true, ["cm"], []);
    public static readonly ApiResource Secrets = new("", "v1", "secrets", "Secret", true, [], []);
    public static readonly ApiResource Services = new("", "v1", "services", "Service", true, ["svc"], ["status"]);
    public static readonly ApiResource ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", true, ["sa"], []);
    public static readonly ApiResource Deployments = new("apps", "v1", "deployments", "Deployment", true, ["deploy"], ["status", "scale"]);
    public static readonly ApiResource ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true, ["rs"], ["status", "scale"]);
    public static readonly ApiResource StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet", true, ["sts"], ["status", "scale"]);
    public static readonly ApiResource DaemonSets = new("apps", "v1", "daemonsets", "DaemonSet", true, ["ds"], ["status"]);
    public static readonly ApiResource Jobs = new("batch", "v1", "jobs", "Job", true, [], ["status"]);
    public static readonly ApiResource DisruptionBudgets = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, ["pdb"], ["status"]);
    public static readonly ApiResource Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true, [], []) { CreateOnUpdate = true, ConditionalUpdateOnly = true };
    public static readonly ApiResource Provisioners = new("karpenter.sh", "v1alpha5", "provisioners", "Provisioner", false, [], ["status"]) { Custom = true };
    public static readonly ApiResource NodeTemplates = new("karpenter.k8s.aws", "v1alpha1", "awsnodetemplates", "AWSNodeTemplate", false, [], ["status"]) { Custom = true };

    public static IReadOnlyList<ApiResource> All { get; } =
    [
        Namespaces, Nodes, Pods, Events, ConfigMaps, Secrets, Services, ServiceAccounts,
        Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, DisruptionBudgets, Leases, Provisioners, NodeTemplates,
    ];

    /// <summary>The kind served at <paramref name="group"/>/<paramref name="version"/> under <paramref name="plural"/>.</summary>
    public static ApiResource? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

    /// <summary>The kind of an object's <c>apiVersion</c> and <c>kind</c>.</summary>
    public static ApiResource? ForKind(string apiVersion, string kind) =>
        All.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);
}
