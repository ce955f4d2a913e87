using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;
using Microsoft.AspNetCore.Http;

namespace Capstan.Testing;

/// <summary>
/// The sandbox's Kubernetes API endpoint (<see cref="ApiServer"/> over an <see cref="ObjectStore"/>) on plain
/// http://127.0.0.1:{random port} without authentication, so that adapters are tested with the real KubernetesClient
/// against the same API stand-in kubectl uses. This facade only adds what tests need: typed helpers that put the
/// world's objects straight into the store (as a restore would, so a pod can be Running or bound from the start),
/// the record of every request, and short names for the server's fault, watch and CRD seams.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private const string LeasesPrefix = "/apis/coordination.k8s.io/v1/namespaces/";

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeApiServer(ApiServer api)
    {
        Api = api;
    }

    /// <summary>The server itself, for what this facade has no short name for.</summary>
    public ApiServer Api { get; }

    /// <summary>Where the objects live.</summary>
    public ObjectStore Store => Api.Store;

    /// <summary>Where KubernetesClient should point (<c>KubernetesClientConfiguration.Host</c>).</summary>
    public Uri BaseAddress => Api.BaseAddress;

    /// <summary>Every request received, in order, including those answered with an injected fault.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>When set, every binding call answers this status (with a Status body) instead of binding.</summary>
    public HttpStatusCode? BindingFailure
    {
        get => Api.Faults.BindingFailure is { } code ? (HttpStatusCode)code : null;
        set => Api.Faults.BindingFailure = (int?)value;
    }

    /// <summary>When false, provisioners are not served (404, absent from discovery), as without their CRD.</summary>
    public bool ProvisionerCrdInstalled
    {
        get => Api.IsServed(ApiResources.Provisioners);
        set => Api.Serve(ApiResources.Provisioners, value);
    }

    /// <summary>When false, awsnodetemplates are not served (404, absent from discovery), as without their CRD.</summary>
    public bool NodeTemplateCrdInstalled
    {
        get => Api.IsServed(ApiResources.NodeTemplates);
        set => Api.Serve(ApiResources.NodeTemplates, value);
    }

    /// <summary>
    /// When true, a pod deleted (or evicted) gracefully is gone as soon as the request is answered, as its kubelet
    /// confirms once the containers stopped. When false (the default) it stays with its deletionTimestamp, as on an
    /// API server with no kubelet behind it.
    /// </summary>
    public bool ConfirmPodDeletions { get; set; }

    /// <summary>Watches currently streaming.</summary>
    public int OpenWatches => Api.OpenWatches;

    /// <summary>The current resourceVersion.</summary>
    public long Revision => Store.Revision;

    /// <summary>Writes answered with a random fault so far.</summary>
    public int RandomFaultsInjected => Api.Faults.RandomFaultsInjected;

    /// <summary>The Events created, by namespace/name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Events =>
        Store.List(ApiResources.Events).Items.ToDictionary(e => ObjectStore.KeyOf(ObjectStore.NamespaceOf(e), ObjectStore.NameOf(e)), e => (JsonObject)e.DeepClone(), StringComparer.Ordinal);

    public static async Task<FakeApiServer> StartAsync()
    {
        var api = await ApiServer.StartAsync(new ObjectStore(TimeProvider.System), new ApiServerOptions());
        var server = new FakeApiServer(api);
        api.Use(server.RecordAsync);
        return server;
    }

    /// <summary>Writes a kubeconfig pointing at this server and returns its path.</summary>
    public string WriteKubeconfig(TempDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return directory.Write("kubeconfig", Api.Kubeconfig("fake", caCertificatePem: null));
    }

    /// <summary>The path of one lease, as the client calls it.</summary>
    public static string LeasePath(string leaseNamespace, string name) => $"{LeasesPrefix}{leaseNamespace}/leases/{name}";

    /// <summary>Adds (or replaces) a minimal pod: pending unless a node is given.</summary>
    public void AddPod(string podNamespace, string podName, string uid, string? nodeName = null) =>
        UpsertPod(KubeObjects.Pod(podNamespace, podName, uid: uid, nodeName: nodeName));

    /// <summary>Adds a node with no capacity.</summary>
    public void AddNode(string nodeName) =>
        UpsertNode(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = nodeName } });

    /// <summary>Creates or replaces a pod as given (an ADDED or MODIFIED event); its namespace is created when missing.</summary>
    public void UpsertPod(JsonObject pod) => Put(ApiResources.Pods, pod);

    public bool DeletePod(string podNamespace, string podName) => Remove(ApiResources.Pods, podNamespace, podName);

    public void UpsertNode(JsonObject node) => Put(ApiResources.Nodes, node);

    public bool DeleteNode(string nodeName) => Remove(ApiResources.Nodes, null, nodeName);

    public void UpsertProvisioner(JsonObject provisioner) => Put(ApiResources.Provisioners, provisioner);

    public bool DeleteProvisioner(string name) => Remove(ApiResources.Provisioners, null, name);

    public void UpsertNodeTemplate(JsonObject template) => Put(ApiResources.NodeTemplates, template);

    public bool DeleteNodeTemplate(string name) => Remove(ApiResources.NodeTemplates, null, name);

    public void UpsertDaemonSet(JsonObject daemonSet) => Put(ApiResources.DaemonSets, daemonSet);

    public bool DeleteDaemonSet(string daemonSetNamespace, string name) => Remove(ApiResources.DaemonSets, daemonSetNamespace, name);

    public void UpsertNamespace(JsonObject ns) => Put(ApiResources.Namespaces, ns);

    public bool DeleteNamespace(string name) => Remove(ApiResources.Namespaces, null, name);

    public void UpsertDisruptionBudget(JsonObject budget) => Put(ApiResources.DisruptionBudgets, budget);

    public bool DeleteDisruptionBudget(string budgetNamespace, string name) => Remove(ApiResources.DisruptionBudgets, budgetNamespace, name);

    /// <summary>Creates or replaces a lease (namespace from <c>metadata.namespace</c>, else <c>default</c>) at a new resourceVersion, unconditionally.</summary>
    public void UpsertLease(JsonObject lease) => Put(ApiResources.Leases, lease);

    public void BlockEviction(string podNamespace, string podName) => Api.Faults.BlockEviction(podNamespace, podName);

    /// <summary>The node the pod is bound to, or null.</summary>
    public string? NodeOf(string podNamespace, string podName) => (string?)FindPod(podNamespace, podName)?["spec"]?["nodeName"];

    public bool HasPod(string podNamespace, string podName) => Store.Get(ApiResources.Pods, podNamespace, podName) is not null;

    /// <summary>A copy of the stored pod, or null.</summary>
    public JsonObject? FindPod(string podNamespace, string podName) => Copy(Store.Get(ApiResources.Pods, podNamespace, podName));

    public JsonObject? FindNode(string nodeName) => Copy(Store.Get(ApiResources.Nodes, null, nodeName));

    public JsonObject? FindProvisioner(string name) => Copy(Store.Get(ApiResources.Provisioners, null, name));

    public JsonObject? FindLease(string leaseNamespace, string name) => Copy(Store.Get(ApiResources.Leases, leaseNamespace, name));

    /// <summary>The names of the nodes stored now.</summary>
    public IReadOnlyList<string> NodeNames() => [.. Store.List(ApiResources.Nodes).Items.Select(ObjectStore.NameOf)];

    /// <summary>List (non-watch GET) requests made to a collection path such as <c>/api/v1/nodes</c>.</summary>
    public int ListCalls(string path) => _requests.Count(r => r.Method == "GET" && r.Path == path && !IsWatch(r));

    /// <summary>Watch requests made to a collection path.</summary>
    public int WatchCalls(string path) => _requests.Count(r => r.Method == "GET" && r.Path == path && IsWatch(r));

    /// <summary>
    /// Makes the next <paramref name="times"/> requests of <paramref name="method"/> on exactly <paramref name="path"/>
    /// fail with <paramref name="status"/> (a Status body, and a <c>Retry-After</c> header when given).
    /// </summary>
    public void InjectFault(string method, string path, HttpStatusCode status, int times = 1, int? retryAfterSeconds = null, FaultMode mode = FaultMode.Reject) =>
        Api.Faults.Inject(method, path, (int)status, times, retryAfterSeconds, mode);

    /// <inheritdoc cref="ApiFaults.InjectRandomWriteFaults"/>
    public void InjectRandomWriteFaults(int seed, double probability) => Api.Faults.InjectRandomWriteFaults(seed, probability);

    /// <summary>Drops the injected faults not yet used on lease paths (an API server that has healed); returns how many.</summary>
    public int ClearLeaseFaults() =>
        Api.Faults.Clear(path => path.StartsWith(LeasesPrefix, StringComparison.Ordinal) && path.Contains("/leases", StringComparison.Ordinal));

    /// <summary>Makes lists (not watches) of a collection path answer <paramref name="status"/>; null heals it.</summary>
    public void FailLists(string path, HttpStatusCode? status) => Api.Faults.FailLists(path, (int?)status);

    /// <inheritdoc cref="ApiServer.EndWatches"/>
    public void DropWatches(bool abort = false) => Api.EndWatches(abort);

    /// <summary>Forgets the event history: watches from any version before now answer 410 Gone.</summary>
    public void CompactHistory() => Store.Compact();

    /// <summary>
    /// Ends every open watch, applies <paramref name="changes"/> while no watch can open, and compacts the history
    /// past them: the clients' resuming watches answer 410 Gone and they must list again to see the changes.
    /// </summary>
    public void CompactWhileDisconnected(Action changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        Store.Atomically(() =>
        {
            Api.EndWatches();
            changes();
            Store.Compact();
        });
    }

    /// <inheritdoc cref="ApiServer.ExpireWatches"/>
    public void ExpireWatches() => Api.ExpireWatches();

    /// <inheritdoc cref="ApiServer.SendBookmarks"/>
    public void SendBookmarks() => Api.SendBookmarks();

    public async ValueTask DisposeAsync()
    {
        Api.EndWatches();
        await Api.DisposeAsync();
    }

    private static bool IsWatch(RecordedRequest request) => request.Query.Contains("watch=true", StringComparison.Ordinal);

    private static JsonObject? Copy(JsonObject? stored) => (JsonObject?)stored?.DeepClone();

    private void Put(ApiResource resource, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var copy = (JsonObject)obj.DeepClone();
        if (resource.Namespaced)
        {
            var ns = (string?)copy["metadata"]?["namespace"] ?? "default";
            if (Store.Get(ApiResources.Namespaces, null, ns) is null)
            {
                Store.Put(ApiResources.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
            }
        }

        Store.Put(resource, copy);
    }

    /// <summary>Deletes at once (no grace period); an object with finalizers only gets its deletionTimestamp.</summary>
    private bool Remove(ApiResource resource, string? objectNamespace, string name)
    {
        try
        {
            Store.Delete(resource, objectNamespace, name, gracePeriodSeconds: 0);
            return true;
        }
        catch (ApiException e) when (e.Code == 404)
        {
            return false;
        }
    }

    private async Task RecordAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        request.EnableBuffering();
        using (var reader = new StreamReader(request.Body, leaveOpen: true))
        {
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            request.Body.Position = 0;
            _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", body, request.QueryString.Value ?? "", request.ContentType));
        }

        await next();
        if (ConfirmPodDeletions && RequestTarget.Parse(request.Path.Value ?? "") is { Name: { } name } target && target.Resource == ApiResources.Pods
            && (request.Method == "DELETE" && target.Subresource is null || request.Method == "POST" && target.Subresource == "eviction")
            && Store.Get(ApiResources.Pods, target.Namespace, name)?["metadata"]?["deletionTimestamp"] is not null)
        {
            Remove(ApiResources.Pods, target.Namespace, name);
        }
    }
}
