using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Capstan.Testing;

/// <summary>
/// An in-process Kestrel on http://127.0.0.1:{random port} that answers the core/v1 calls Capstan makes the way
/// the API server does (status codes, <c>Status</c> bodies), so adapters can be tested with the real
/// KubernetesClient. It keeps nodes, pods, namespaces, <c>apps/v1</c> daemonsets, <c>policy/v1</c>
/// poddisruptionbudgets, <c>karpenter.sh/v1alpha5</c> provisioners and <c>karpenter.k8s.aws/v1alpha1</c> awsnodetemplates under one
/// resourceVersion counter, serves paged lists and watches (newline-delimited events over a chunked response kept
/// open, replayed from any version still in its history), and records every request.
/// </summary>
public sealed partial class FakeApiServer : IAsyncDisposable
{
    private const string NodesPath = "/api/v1/nodes";
    private const string PodsPath = "/api/v1/pods";
    private const string ProvisionersPath = "/apis/karpenter.sh/v1alpha5/provisioners";
    private const string NodeTemplatesPath = "/apis/karpenter.k8s.aws/v1alpha1/awsnodetemplates";
    private const string DaemonSetsPath = "/apis/apps/v1/daemonsets";
    private const string NamespacesPath = "/api/v1/namespaces";
    private const string DisruptionBudgetsPath = "/apis/policy/v1/poddisruptionbudgets";

    private readonly Lock _gate = new();
    private readonly Dictionary<Kind, SortedDictionary<string, JsonObject>> _objects = new()
    {
        [Kind.Node] = new(StringComparer.Ordinal),
        [Kind.Pod] = new(StringComparer.Ordinal),
        [Kind.Provisioner] = new(StringComparer.Ordinal),
        [Kind.NodeTemplate] = new(StringComparer.Ordinal),
        [Kind.DaemonSet] = new(StringComparer.Ordinal),
        [Kind.Namespace] = new(StringComparer.Ordinal),
        [Kind.DisruptionBudget] = new(StringComparer.Ordinal),
    };

    private readonly List<LoggedEvent> _history = [];
    private readonly List<Watch> _watches = [];
    private readonly ConcurrentDictionary<string, HttpStatusCode> _listFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _evictionBlocked = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly WebApplication _app;
    private long _revision = 100;
    private long _compactedThrough;

    private FakeApiServer(WebApplication app)
    {
        _app = app;
    }

    private enum Kind
    {
        Node,
        Pod,
        Provisioner,
        NodeTemplate,
        DaemonSet,
        Namespace,
        DisruptionBudget,
    }

    /// <summary>Where KubernetesClient should point (<c>KubernetesClientConfiguration.Host</c>).</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1");

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>When set, every binding call answers this status (with a Status body) instead of binding.</summary>
    public HttpStatusCode? BindingFailure { get; set; }

    /// <summary>When false, the provisioner list and watch answer 404 as for a CRD that is not installed.</summary>
    public bool ProvisionerCrdInstalled { get; set; } = true;

    /// <summary>When false, the awsnodetemplate list and watch answer 404 as for a CRD that is not installed.</summary>
    public bool NodeTemplateCrdInstalled { get; set; } = true;

    /// <summary>Watches currently streaming.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>The current resourceVersion.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeApiServer(app);
        server.Map(app);
        await app.StartAsync();
        var address = app.Urls.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    /// <summary>Writes a kubeconfig pointing at this server (a bearer token it ignores) and returns its path.</summary>
    public string WriteKubeconfig(TempDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return directory.Write("kubeconfig", $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: {BaseAddress.ToString().TrimEnd('/')}
            users:
              - name: fake
                user:
                  token: fake-token
            contexts:
              - name: fake
                context:
                  cluster: fake
                  user: fake
            current-context: fake
            """);
    }

    /// <summary>Adds (or replaces) a minimal pod: pending unless a node is given.</summary>
    public void AddPod(string podNamespace, string podName, string uid, string? nodeName = null) =>
        UpsertPod(KubeObjects.Pod(podNamespace, podName, uid: uid, nodeName: nodeName));

    /// <summary>Adds a node with no capacity.</summary>
    public void AddNode(string nodeName) =>
        UpsertNode(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = nodeName } });

    /// <summary>Creates or replaces a pod (an ADDED or MODIFIED event).</summary>
    public void UpsertPod(JsonObject pod) => Upsert(Kind.Pod, pod);

    public bool DeletePod(string podNamespace, string podName) => Delete(Kind.Pod, Key(podNamespace, podName));

    /// <summary>Creates or replaces a node (an ADDED or MODIFIED event).</summary>
    public void UpsertNode(JsonObject node) => Upsert(Kind.Node, node);

    public bool DeleteNode(string nodeName) => Delete(Kind.Node, nodeName);

    /// <summary>Creates or replaces a provisioner (an ADDED or MODIFIED event).</summary>
    public void UpsertProvisioner(JsonObject provisioner) => Upsert(Kind.Provisioner, provisioner);

    public bool DeleteProvisioner(string name) => Delete(Kind.Provisioner, name);

    /// <summary>Creates or replaces an AWSNodeTemplate (an ADDED or MODIFIED event).</summary>
    public void UpsertNodeTemplate(JsonObject template) => Upsert(Kind.NodeTemplate, template);

    public bool DeleteNodeTemplate(string name) => Delete(Kind.NodeTemplate, name);

    /// <summary>Creates or replaces a DaemonSet (an ADDED or MODIFIED event).</summary>
    public void UpsertDaemonSet(JsonObject daemonSet) => Upsert(Kind.DaemonSet, daemonSet);

    public bool DeleteDaemonSet(string daemonSetNamespace, string name) => Delete(Kind.DaemonSet, Key(daemonSetNamespace, name));

    /// <summary>Creates or replaces a Namespace (an ADDED or MODIFIED event).</summary>
    public void UpsertNamespace(JsonObject ns) => Upsert(Kind.Namespace, ns);

    public bool DeleteNamespace(string name) => Delete(Kind.Namespace, name);

    /// <summary>Creates or replaces a PodDisruptionBudget (an ADDED or MODIFIED event).</summary>
    public void UpsertDisruptionBudget(JsonObject budget) => Upsert(Kind.DisruptionBudget, budget);

    public bool DeleteDisruptionBudget(string budgetNamespace, string name) => Delete(Kind.DisruptionBudget, Key(budgetNamespace, name));

    public void BlockEviction(string podNamespace, string podName) => _evictionBlocked[Key(podNamespace, podName)] = true;

    /// <summary>The node the pod is bound to, or null.</summary>
    public string? NodeOf(string podNamespace, string podName) =>
        Find(Kind.Pod, Key(podNamespace, podName))?["spec"]?["nodeName"]?.GetValue<string>();

    public bool HasPod(string podNamespace, string podName) => Find(Kind.Pod, Key(podNamespace, podName)) is not null;

    public JsonObject? FindNode(string nodeName) => Find(Kind.Node, nodeName);

    /// <summary>The names of the nodes stored now.</summary>
    public IReadOnlyList<string> NodeNames()
    {
        lock (_gate)
        {
            return [.. _objects[Kind.Node].Keys];
        }
    }

    /// <summary>List (non-watch GET) requests made to a collection path such as <c>/api/v1/nodes</c>.</summary>
    public int ListCalls(string path) =>
        _requests.Count(r => r.Method == "GET" && r.Path == path && !r.Query.Contains("watch=true", StringComparison.Ordinal));

    /// <summary>Watch requests made to a collection path.</summary>
    public int WatchCalls(string path) =>
        _requests.Count(r => r.Method == "GET" && r.Path == path && r.Query.Contains("watch=true", StringComparison.Ordinal));

    /// <summary>
    /// Ends every open watch: cleanly (the client resumes from its last version) or, with <paramref name="abort"/>,
    /// by aborting the connection (a stream error).
    /// </summary>
    public void DropWatches(bool abort = false)
    {
        lock (_gate)
        {
            foreach (var watch in _watches)
            {
                watch.Abort = abort;
                watch.Events.Writer.TryComplete();
            }
        }
    }

    /// <summary>Makes lists (not watches) of a collection path answer <paramref name="status"/>; null heals it.</summary>
    public void FailLists(string path, HttpStatusCode? status)
    {
        if (status is { } code)
        {
            _listFailures[path] = code;
        }
        else
        {
            _listFailures.TryRemove(path, out _);
        }
    }

    /// <summary>Forgets the event history: watches from any version before now answer 410 Gone.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _revision;
        }
    }

    /// <summary>
    /// Ends every open watch, applies <paramref name="changes"/> while no watch can open, and compacts the history
    /// past them: the clients' resuming watches answer 410 Gone and they must list again to see the changes.
    /// </summary>
    public void CompactWhileDisconnected(Action changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            DropWatches();
            changes();
            CompactHistory();
        }
    }

    /// <summary>Compacts the history and ends every open watch with an ERROR event carrying a 410 Status, as etcd compaction does.</summary>
    public void ExpireWatches()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _revision;
            foreach (var watch in _watches)
            {
                watch.Events.Writer.TryWrite(GoneEvent(watch.Since));
                watch.Events.Writer.TryComplete();
            }
        }
    }

    /// <summary>Sends a BOOKMARK at the current version to the open watches that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (var watch in _watches.Where(w => w.Bookmarks))
            {
                var (apiVersion, kind) = TypeOf(watch.Kind);
                var bookmark = new JsonObject
                {
                    ["type"] = "BOOKMARK",
                    ["object"] = new JsonObject
                    {
                        ["apiVersion"] = apiVersion,
                        ["kind"] = kind,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture) },
                    },
                };
                watch.Events.Writer.TryWrite(bookmark.ToJsonString());
            }
        }
    }

    private JsonObject? Find(Kind kind, string key)
    {
        lock (_gate)
        {
            return _objects[kind].TryGetValue(key, out var found) ? found : null;
        }
    }

    private static string KeyOf(Kind kind, JsonObject obj)
    {
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("metadata.name is required");
        return kind is Kind.Pod or Kind.DaemonSet or Kind.DisruptionBudget
            ? Key(obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default", name)
            : name;
    }

    private void Upsert(Kind kind, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            var key = KeyOf(kind, obj);
            var type = _objects[kind].ContainsKey(key) ? "MODIFIED" : "ADDED";
            StoreLocked(kind, key, (JsonObject)obj.DeepClone(), type);
        }
    }

    private bool Delete(Kind kind, string key)
    {
        lock (_gate)
        {
            if (!_objects[kind].Remove(key, out var current))
            {
                return false;
            }

            var deleted = (JsonObject)current.DeepClone();
            SetVersion(deleted, ++_revision);
            PublishLocked(kind, "DELETED", deleted, current);
            return true;
        }
    }

    /// <summary>Stores an object (which the caller no longer touches) at a new version and publishes the event.</summary>
    private void StoreLocked(Kind kind, string key, JsonObject obj, string type)
    {
        var (apiVersion, kindName) = TypeOf(kind);
        obj["apiVersion"] ??= apiVersion;
        obj["kind"] ??= kindName;
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        metadata["uid"] ??= "uid-" + key.Replace('/', '-');
        metadata["creationTimestamp"] ??= "2024-01-01T00:00:00Z";
        SetVersion(obj, ++_revision);
        _objects[kind].TryGetValue(key, out var previous);
        _objects[kind][key] = obj;
        PublishLocked(kind, type, obj, previous);
    }

    private static void SetVersion(JsonObject obj, long revision) =>
        ((JsonObject)obj["metadata"]!)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);

    private void PublishLocked(Kind kind, string type, JsonObject obj, JsonObject? previous)
    {
        var logged = new LoggedEvent(kind, _revision, type, obj, previous);
        _history.Add(logged);
        foreach (var watch in _watches.Where(w => w.Kind == kind))
        {
            if (logged.LineFor(watch.Selector) is { } line)
            {
                watch.Events.Writer.TryWrite(line);
            }
        }
    }

    private static (string ApiVersion, string Kind) TypeOf(Kind kind) => kind switch
    {
        Kind.Node => ("v1", "Node"),
        Kind.Pod => ("v1", "Pod"),
        Kind.Namespace => ("v1", "Namespace"),
        Kind.DaemonSet => ("apps/v1", "DaemonSet"),
        Kind.DisruptionBudget => ("policy/v1", "PodDisruptionBudget"),
        Kind.NodeTemplate => ("karpenter.k8s.aws/v1alpha1", "AWSNodeTemplate"),
        _ => ("karpenter.sh/v1alpha5", "Provisioner"),
    };

    private static string GoneEvent(long since) => new JsonObject
    {
        ["type"] = "ERROR",
        ["object"] = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"too old resource version: {since}",
            ["reason"] = "Expired",
            ["code"] = 410,
        },
    }.ToJsonString();

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", body, context.Request.QueryString.Value ?? "", context.Request.ContentType));
            await ServeWithFaultsAsync(context, next);
        });

        MapWrites(app);
        MapLeases(app);

        app.MapGet(NodesPath, context => ListOrWatchAsync(context, Kind.Node));
        app.MapGet(PodsPath, context => ListOrWatchAsync(context, Kind.Pod));
        app.MapGet(ProvisionersPath, context => ProvisionerCrdInstalled
            ? ListOrWatchAsync(context, Kind.Provisioner)
            : StatusResult(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource").ExecuteAsync(context));
        app.MapGet(NodeTemplatesPath, context => NodeTemplateCrdInstalled
            ? ListOrWatchAsync(context, Kind.NodeTemplate)
            : StatusResult(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource").ExecuteAsync(context));
        app.MapGet(DaemonSetsPath, context => ListOrWatchAsync(context, Kind.DaemonSet));
        app.MapGet(NamespacesPath, context => ListOrWatchAsync(context, Kind.Namespace));
        app.MapGet(DisruptionBudgetsPath, context => ListOrWatchAsync(context, Kind.DisruptionBudget));

        app.MapPost("/api/v1/namespaces/{ns}/pods/{name}/binding", async (string ns, string name, HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body) as JsonObject;
            if (BindingFailure is { } failure)
            {
                return StatusResult(failure, "InternalError", $"injected failure for {ns}/{name}");
            }

            var target = body?["target"]?["name"]?.GetValue<string>();
            var uid = body?["metadata"]?["uid"]?.GetValue<string>();
            if (string.IsNullOrEmpty(target))
            {
                return StatusResult(HttpStatusCode.BadRequest, "BadRequest", "target.name is required");
            }

            var key = Key(ns, name);
            lock (_gate)
            {
                if (!_objects[Kind.Pod].TryGetValue(key, out var pod))
                {
                    return StatusResult(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found");
                }

                var podUid = pod["metadata"]?["uid"]?.GetValue<string>();
                if (!string.IsNullOrEmpty(uid) && uid != podUid)
                {
                    return StatusResult(HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on pods/binding \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {podUid}");
                }

                if (pod["spec"]?["nodeName"]?.GetValue<string>() is { Length: > 0 } boundTo)
                {
                    return StatusResult(HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{boundTo}\"");
                }

                var bound = (JsonObject)pod.DeepClone();
                var spec = bound["spec"] as JsonObject ?? new JsonObject();
                spec["nodeName"] = target;
                bound["spec"] = spec;
                StoreLocked(Kind.Pod, key, bound, "MODIFIED");
            }

            return StatusResult(HttpStatusCode.Created, null, null);
        });

        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) =>
            Find(Kind.Pod, Key(ns, name)) is { } pod
                ? Results.Text(pod.ToJsonString(), "application/json")
                : StatusResult(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found"));

        app.MapPost("/api/v1/namespaces/{ns}/pods/{name}/eviction", (string ns, string name) =>
        {
            if (_evictionBlocked.ContainsKey(Key(ns, name)))
            {
                return StatusResult(HttpStatusCode.TooManyRequests, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
            }

            return DeletePod(ns, name)
                ? StatusResult(HttpStatusCode.Created, null, null)
                : StatusResult(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found");
        });

        app.MapPost(NodesPath, async (HttpRequest request) =>
        {
            if (await JsonNode.ParseAsync(request.Body) is not JsonObject node || node["metadata"]?["name"]?.GetValue<string>() is not { } name)
            {
                return StatusResult(HttpStatusCode.BadRequest, "BadRequest", "metadata.name is required");
            }

            lock (_gate)
            {
                if (_objects[Kind.Node].ContainsKey(name))
                {
                    return StatusResult(HttpStatusCode.Conflict, "AlreadyExists", $"nodes \"{name}\" already exists");
                }

                // The API server owns these on create: whatever the client sent is replaced.
                var metadata = (JsonObject)node["metadata"]!;
                metadata["creationTimestamp"] = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                metadata["uid"] = Guid.NewGuid().ToString();
                metadata.Remove("deletionTimestamp");
                StoreLocked(Kind.Node, name, node, "ADDED");
                return Results.Text(node.ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created);
            }
        });
    }

    private async Task ListOrWatchAsync(HttpContext context, Kind kind)
    {
        var query = context.Request.Query;
        if (query["watch"] is var watch && (watch == "true" || watch == "1"))
        {
            await WatchAsync(context, kind, query["resourceVersion"], query["allowWatchBookmarks"] == "true", FieldSelector.Parse(query["fieldSelector"]));
            return;
        }

        if (_listFailures.TryGetValue(context.Request.Path.Value ?? "", out var failure))
        {
            await StatusResult(failure, "InternalError", "injected list failure").ExecuteAsync(context);
            return;
        }

        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var offset = int.TryParse(query["continue"], CultureInfo.InvariantCulture, out var c) ? c : 0;
        var (apiVersion, kindName) = TypeOf(kind);
        JsonObject list;
        lock (_gate)
        {
            var selector = FieldSelector.Parse(query["fieldSelector"]);
            var all = _objects[kind].Values.Where(o => selector?.Matches(o) ?? true).ToList();
            var page = all.Skip(offset).Take(limit).Select(o => (JsonNode)o.DeepClone()).ToArray();
            var metadata = new JsonObject { ["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture) };
            if (offset + page.Length < all.Count)
            {
                metadata["continue"] = (offset + page.Length).ToString(CultureInfo.InvariantCulture);
            }

            list = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kindName + "List", ["metadata"] = metadata, ["items"] = new JsonArray(page) };
        }

        await Results.Text(list.ToJsonString(), "application/json").ExecuteAsync(context);
    }

    private async Task WatchAsync(HttpContext context, Kind kind, string? resourceVersion, bool bookmarks, FieldSelector? selector)
    {
        var since = long.TryParse(resourceVersion, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var watch = new Watch(kind, since, bookmarks, selector);
        lock (_gate)
        {
            if (since < _compactedThrough)
            {
                watch.Events.Writer.TryWrite(GoneEvent(since));
                watch.Events.Writer.TryComplete();
            }
            else
            {
                // Replay what happened after the requested version, then stream live: one lock, no gap.
                foreach (var logged in _history.Where(e => e.Kind == kind && e.Revision > since))
                {
                    if (logged.LineFor(selector) is { } line)
                    {
                        watch.Events.Writer.TryWrite(line);
                    }
                }

                _watches.Add(watch);
            }
        }

        try
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(context.RequestAborted);
            await foreach (var line in watch.Events.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            if (watch.Abort)
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            lock (_gate)
            {
                _watches.Remove(watch);
            }
        }
    }

    private static IResult StatusResult(HttpStatusCode code, string? reason, string? message)
    {
        var success = (int)code < 300;
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = success ? "Success" : "Failure",
            ["code"] = (int)code,
        };
        if (message is not null)
        {
            status["message"] = message;
        }

        if (reason is not null)
        {
            status["reason"] = reason;
        }

        return Results.Text(status.ToJsonString(s_compact), "application/json", statusCode: (int)code);
    }

    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false };

    private static string Key(string podNamespace, string podName) => podNamespace + "/" + podName;

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One change, with the object before it, so that a watch with a field selector sees what the API server sends.</summary>
    private sealed record LoggedEvent(Kind Kind, long Revision, string Type, JsonObject Current, JsonObject? Previous)
    {
        public string Line { get; } = EventLine(Type, Current);

        /// <summary>
        /// The line a watch with this selector gets: an object that starts to match arrives as ADDED, one that
        /// stops matching as DELETED, one that never matched not at all.
        /// </summary>
        public string? LineFor(FieldSelector? selector)
        {
            if (selector is null)
            {
                return Line;
            }

            var now = Type != "DELETED" && selector.Matches(Current);
            var before = Type == "DELETED" ? selector.Matches(Current) : Previous is not null && selector.Matches(Previous);
            return (before, now) switch
            {
                (true, true) => Line,
                (false, true) => EventLine("ADDED", Current),
                (true, false) => EventLine("DELETED", Current),
                _ => null,
            };
        }

        private static string EventLine(string type, JsonObject obj) => new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
    }

    /// <summary>A <c>fieldSelector</c> of <c>path=value</c>, <c>path==value</c> and <c>path!=value</c> terms, all of which must hold.</summary>
    private sealed class FieldSelector
    {
        private readonly (string[] Path, string Value, bool Equal)[] _terms;

        private FieldSelector((string[] Path, string Value, bool Equal)[] terms) => _terms = terms;

        public static FieldSelector? Parse(string? selector)
        {
            if (string.IsNullOrEmpty(selector))
            {
                return null;
            }

            return new FieldSelector([.. selector.Split(',').Select(term =>
            {
                var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
                var (field, value, equal) = notEqual >= 0
                    ? (term[..notEqual], term[(notEqual + 2)..], false)
                    : (term[..term.IndexOf('=', StringComparison.Ordinal)], term[(term.IndexOf('=', StringComparison.Ordinal) + 1)..].TrimStart('='), true);
                return (field.Split('.'), value, equal);
            })]);
        }

        public bool Matches(JsonObject obj) => _terms.All(term => (ValueAt(obj, term.Path) == term.Value) == term.Equal);

        private static string ValueAt(JsonObject obj, string[] path)
        {
            JsonNode? node = obj;
            foreach (var part in path)
            {
                node = node is JsonObject o ? o[part] : null;
            }

            return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";
        }
    }

    private sealed class Watch(Kind kind, long since, bool bookmarks, FieldSelector? selector)
    {
        public FieldSelector? Selector { get; } = selector;

        public Kind Kind { get; } = kind;

        public long Since { get; } = since;

        public bool Bookmarks { get; } = bookmarks;

        public Channel<string> Events { get; } = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

        /// <summary>Set before completing <see cref="Events"/>: abort the connection instead of ending the response.</summary>
        public bool Abort { get; set; }
    }
}
