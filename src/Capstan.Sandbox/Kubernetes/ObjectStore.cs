using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>One change of one object, in resourceVersion order.</summary>
/// <param name="Type"><c>ADDED</c>, <c>MODIFIED</c> or <c>DELETED</c> (or <see cref="Bookmark"/> on a watch that asked for one).</param>
/// <param name="Item">The object after the change (for DELETED, its last state at the deletion's version). Frozen.</param>
/// <param name="Resource">Its kind.</param>
/// <param name="Previous">The object before the change, or null for ADDED. Frozen.</param>
/// <param name="Revision">The resourceVersion of the change.</param>
public sealed record StoreEvent(string Type, ApiResource Resource, JsonObject Item, JsonObject? Previous, long Revision)
{
    /// <summary>The type of a bookmark: no change, the store's version (in the item's metadata) at that point of the stream.</summary>
    public const string Bookmark = "BOOKMARK";

    private string? _json;

    /// <summary>The object as JSON, written once however many watches stream it.</summary>
    public string ObjectJson => _json ??= Item.ToJsonString();
}

/// <summary>
/// The sandbox cluster's etcd and the API server's storage rules in one: every kind of <see cref="ApiResources"/>
/// under one resourceVersion counter; creation fills what the server owns (uid, creationTimestamp, generation,
/// generateName); updates check resourceVersion preconditions, keep the status on the main resource and the rest on
/// <c>/status</c>; deletion honours finalizers and the pods' graceful deletion (a bound pod gets a
/// <c>deletionTimestamp</c> and goes when its kubelet confirms); a bounded history serves watches from a past version
/// and answers 410 Expired past it.
/// </summary>
/// <remarks>
/// Stored objects are frozen: readers get the stored instances and must clone before changing anything; every write
/// stores a new instance. That keeps lists of ten thousand pods cheap for the simulated controllers.
/// </remarks>
public sealed class ObjectStore
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private readonly Lock _gate = new();
    private readonly Dictionary<ApiResource, SortedDictionary<string, JsonObject>> _objects = [];
    private readonly Queue<StoreEvent> _history = new();
    private readonly List<StoreWatch> _watches = [];
    private readonly int _historyLimit;
    private readonly Random _names = new(1729);
    private long _revision = 1000;
    private long _compactedThrough = 1000;

    public ObjectStore(TimeProvider time, int historyLimit = 100_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        _historyLimit = historyLimit;
        foreach (var resource in ApiResources.All)
        {
            _objects[resource] = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }

        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Create(ApiResources.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }
    }

    public TimeProvider Time { get; }

    /// <summary>The current resourceVersion.</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>Open watches (the HTTP ones and the simulated controllers').</summary>
    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    public static string KeyOf(string? objectNamespace, string name) => objectNamespace is null ? name : objectNamespace + "/" + name;

    public static string NameOf(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    public static string? NamespaceOf(JsonObject obj) => (string?)obj["metadata"]?["namespace"];

    /// <summary>The stored (frozen) object, or null.</summary>
    public JsonObject? Get(ApiResource resource, string? objectNamespace, string name)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_gate)
        {
            return _objects[resource].GetValueOrDefault(KeyOf(resource.Namespaced ? objectNamespace : null, name));
        }
    }

    /// <summary>The stored (frozen) objects of one kind, in one namespace or all, with the version they were read at.</summary>
    public (IReadOnlyList<JsonObject> Items, long Revision) List(ApiResource resource, string? objectNamespace = null, Func<JsonObject, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_gate)
        {
            IEnumerable<JsonObject> items = _objects[resource].Values;
            if (resource.Namespaced && objectNamespace is not null)
            {
                items = items.Where(o => NamespaceOf(o) == objectNamespace);
            }

            if (filter is not null)
            {
                items = items.Where(filter);
            }

            return ([.. items], _revision);
        }
    }

    /// <summary>Creates an object (the argument is taken over): 409 AlreadyExists, 404 for a namespace that does not exist.</summary>
    public JsonObject Create(ApiResource resource, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            var metadata = Normalize(resource, obj);
            if ((string?)metadata["namespace"] is { } ns)
            {
                if (!_objects[ApiResources.Namespaces].TryGetValue(ns, out var owner))
                {
                    throw ApiException.NotFound(ApiResources.Namespaces, ns);
                }

                if (owner["metadata"]?["deletionTimestamp"] is not null)
                {
                    throw new ApiException(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated");
                }
            }

            if (string.IsNullOrEmpty((string?)metadata["name"]) && (string?)metadata["generateName"] is { Length: > 0 } prefix)
            {
                do
                {
                    metadata["name"] = prefix + new string([.. Enumerable.Range(0, 5).Select(_ => NameAlphabet[_names.Next(NameAlphabet.Length)])]);
                }
                while (_objects[resource].ContainsKey(KeyOf(resource.Namespaced ? (string?)metadata["namespace"] : null, NameOf(obj))));
            }

            var name = NameOf(obj);
            if (name.Length == 0)
            {
                throw Invalid(resource, "", "metadata.name: Required value: name or generateName is required");
            }

            var key = KeyOf(resource.Namespaced ? (string?)metadata["namespace"] : null, name);
            if (_objects[resource].ContainsKey(key))
            {
                throw ApiException.AlreadyExists(resource, name);
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Timestamp(Time.GetUtcNow());
            metadata["generation"] = 1;
            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
            metadata.Remove("resourceVersion");
            metadata.Remove("managedFields");
            PrepareForCreate(resource, obj);
            return StoreLocked(resource, key, obj, null);
        }
    }

    /// <summary>
    /// Creates or replaces an object exactly as given (the argument is taken over), as restoring a cluster's state
    /// from a backup does: no defaults, no admission, no namespace check; its uid and creationTimestamp are kept when
    /// given (made up when not), its status is stored as written, and it gets a new resourceVersion. Watches see
    /// ADDED or MODIFIED.
    /// </summary>
    public JsonObject Put(ApiResource resource, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            var metadata = Normalize(resource, obj);
            var name = NameOf(obj);
            if (name.Length == 0)
            {
                throw Invalid(resource, "", "metadata.name: Required value: name is required");
            }

            var key = KeyOf(resource.Namespaced ? (string?)metadata["namespace"] : null, name);
            _objects[resource].TryGetValue(key, out var previous);
            metadata["uid"] ??= (string?)previous?["metadata"]?["uid"] ?? Guid.NewGuid().ToString();
            metadata["creationTimestamp"] ??= (string?)previous?["metadata"]?["creationTimestamp"] ?? Timestamp(Time.GetUtcNow());
            metadata["generation"] ??= 1;
            return StoreLocked(resource, key, obj, previous);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> under the store's lock: no watch opens and no other write lands until it is
    /// done (writes of its own go through, the lock is re-entrant). For changes that must look like one instant.
    /// </summary>
    public void Atomically(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            action();
        }
    }

    /// <summary>
    /// Read-modify-write under the store's lock: <paramref name="change"/> gets a copy of the current object and returns
    /// the new one (or null for no change). Server-owned metadata is kept; the generation grows when the spec changes.
    /// With <paramref name="status"/> only the status is taken from the new object; without it, for kinds with a status
    /// subresource, the status is kept (the rule of the real API server); <paramref name="internalWrite"/> takes every
    /// field (the simulated kubelet and controllers write status and spec as the real ones do through their own calls).
    /// </summary>
    public JsonObject? Update(ApiResource resource, string? objectNamespace, string name, Func<JsonObject, JsonObject?> change, bool status = false, bool internalWrite = false)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            var key = KeyOf(resource.Namespaced ? objectNamespace : null, name);
            if (!_objects[resource].TryGetValue(key, out var current))
            {
                throw ApiException.NotFound(resource, name);
            }

            if (change((JsonObject)current.DeepClone()) is not { } updated)
            {
                return null;
            }

            JsonObject next;
            if (status)
            {
                next = (JsonObject)current.DeepClone();
                next["status"] = updated["status"]?.DeepClone();
            }
            else
            {
                next = updated;
                if (resource.HasStatus && !internalWrite)
                {
                    next["status"] = current["status"]?.DeepClone();
                }
            }

            // What the server owns stays as stored, whatever the client sent.
            var metadata = next["metadata"] as JsonObject ?? new JsonObject();
            next["metadata"] = metadata;
            var old = (JsonObject)current["metadata"]!;
            foreach (var owned in new[] { "uid", "creationTimestamp", "namespace", "name", "deletionTimestamp", "deletionGracePeriodSeconds" })
            {
                metadata[owned] = old[owned]?.DeepClone();
                if (metadata[owned] is null)
                {
                    metadata.Remove(owned);
                }
            }

            next["apiVersion"] = resource.ApiVersion;
            next["kind"] = resource.Kind;
            var generation = JsonNumbers.Whole(old["generation"]) ?? 1;
            metadata["generation"] = JsonNode.DeepEquals(next["spec"], current["spec"]) ? generation : generation + 1;
            if (JsonNode.DeepEquals(Comparable(next), Comparable(current)))
            {
                return current;
            }

            if (old["deletionTimestamp"] is not null && NewFinalizers(current, next) is { Count: > 0 } added)
            {
                throw Invalid(resource, name,
                    $"metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers [{string.Join(", ", added.Select(f => '"' + f + '"'))}]");
            }

            if (old["deletionTimestamp"] is not null && !HasFinalizers(next) && (resource != ApiResources.Pods || JsonNumbers.Whole(old["deletionGracePeriodSeconds"]) is null or 0))
            {
                RemoveLocked(resource, key, next);
                return next;
            }

            return StoreLocked(resource, key, next, current);
        }
    }

    /// <summary>
    /// Deletes as the API server does: an object with finalizers gets a <c>deletionTimestamp</c> and stays until they
    /// are gone; a pod bound to a node is deleted gracefully (its kubelet confirms with a second, zero-grace delete);
    /// anything else goes now. Returns the object as it stands after the call (null when gone), or throws 404.
    /// </summary>
    public JsonObject? Delete(ApiResource resource, string? objectNamespace, string name, long? gracePeriodSeconds = null, string? uidPrecondition = null,
        string? resourceVersionPrecondition = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_gate)
        {
            var key = KeyOf(resource.Namespaced ? objectNamespace : null, name);
            if (!_objects[resource].TryGetValue(key, out var current))
            {
                throw ApiException.NotFound(resource, name);
            }

            if (uidPrecondition is not null && uidPrecondition != (string?)current["metadata"]?["uid"])
            {
                throw new ApiException(409, "Conflict",
                    $"Operation cannot be fulfilled on {resource.Plural} \"{name}\": Precondition failed: UID in precondition: {uidPrecondition}, UID in object meta: {(string?)current["metadata"]?["uid"]}");
            }

            if (resourceVersionPrecondition is not null && resourceVersionPrecondition != (string?)current["metadata"]?["resourceVersion"])
            {
                throw new ApiException(409, "Conflict",
                    $"Operation cannot be fulfilled on {resource.Plural}{(resource.Group.Length == 0 ? "" : "." + resource.Group)} \"{name}\": Precondition failed: ResourceVersion in precondition: {resourceVersionPrecondition}, ResourceVersion in object meta: {(string?)current["metadata"]?["resourceVersion"]}");
            }

            var grace = 0L;
            if (resource == ApiResources.Pods && !string.IsNullOrEmpty((string?)current["spec"]?["nodeName"])
                && (string?)current["status"]?["phase"] is not ("Succeeded" or "Failed"))
            {
                grace = gracePeriodSeconds ?? JsonNumbers.Whole(current["spec"]?["terminationGracePeriodSeconds"]) ?? 30;
            }

            if (current["metadata"]?["deletionTimestamp"] is not null)
            {
                // Already going: only a shorter grace period (the kubelet's zero) moves it on.
                var pending = JsonNumbers.Whole(current["metadata"]?["deletionGracePeriodSeconds"]) ?? 0;
                if (grace >= pending)
                {
                    return current;
                }

                if (grace > 0 || HasFinalizers(current))
                {
                    return StoreLocked(resource, key, Stamp(current, grace, restamp: true), current);
                }
            }
            else if (grace > 0 || HasFinalizers(current))
            {
                return StoreLocked(resource, key, Stamp(current, grace, restamp: false), current);
            }

            RemoveLocked(resource, key, current);
            if (resource == ApiResources.Namespaces)
            {
                // The namespace controller's work, done at once: everything in it goes with it.
                foreach (var kind in ApiResources.All.Where(r => r.Namespaced))
                {
                    foreach (var inside in _objects[kind].Where(kv => NamespaceOf(kv.Value) == name).ToList())
                    {
                        RemoveLocked(kind, inside.Key, inside.Value);
                    }
                }
            }

            return null;
        }
    }

    /// <summary>
    /// A watch from <paramref name="sinceRevision"/> (0: every current object as ADDED first): the history after it,
    /// then every change, on one channel. Throws 410 Expired when the history no longer reaches back that far.
    /// </summary>
    public StoreWatch Watch(ApiResource resource, long sinceRevision, string? objectNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_gate)
        {
            var watch = new StoreWatch(this, resource, resource.Namespaced ? objectNamespace : null);
            if (sinceRevision <= 0)
            {
                foreach (var obj in _objects[resource].Values)
                {
                    watch.Offer(new StoreEvent("ADDED", resource, obj, null, _revision));
                }
            }
            else if (sinceRevision < _compactedThrough)
            {
                throw new ApiException(410, "Expired", $"too old resource version: {sinceRevision} ({_compactedThrough})");
            }
            else
            {
                foreach (var logged in _history)
                {
                    if (logged.Revision > sinceRevision && logged.Resource == resource)
                    {
                        watch.Offer(logged);
                    }
                }
            }

            _watches.Add(watch);
            return watch;
        }
    }

    /// <summary>Forgets the history: watches from any earlier version answer 410 Expired.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _revision;
        }
    }

    /// <summary>Queues a BOOKMARK at the current version on <paramref name="watch"/>, after every change it has been offered.</summary>
    internal void Bookmark(StoreWatch watch)
    {
        lock (_gate)
        {
            watch.Offer(new StoreEvent(StoreEvent.Bookmark, watch.Resource, new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture) },
            }, null, _revision));
        }
    }

    internal void Unwatch(StoreWatch watch)
    {
        lock (_gate)
        {
            _watches.Remove(watch);
        }
    }

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTimestamp(JsonNode? node) =>
        (string?)node is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>Sets the kind's apiVersion and kind and the namespace (default when not given, none for a cluster-scoped kind); returns the metadata.</summary>
    private static JsonObject Normalize(ApiResource resource, JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        if (resource.Namespaced)
        {
            metadata["namespace"] = (string?)metadata["namespace"] ?? "default";
        }
        else
        {
            metadata.Remove("namespace");
        }

        return metadata;
    }

    private static bool HasFinalizers(JsonObject obj) => obj["metadata"]?["finalizers"] is JsonArray { Count: > 0 };

    private static List<string> NewFinalizers(JsonObject before, JsonObject after)
    {
        var had = Finalizers(before).ToHashSet(StringComparer.Ordinal);
        return [.. Finalizers(after).Where(f => !had.Contains(f))];
    }

    private static IEnumerable<string> Finalizers(JsonObject obj) =>
        (obj["metadata"]?["finalizers"] as JsonArray ?? []).Select(f => (string?)f ?? "");

    private JsonObject Stamp(JsonObject current, long grace, bool restamp)
    {
        var next = (JsonObject)current.DeepClone();
        var metadata = (JsonObject)next["metadata"]!;
        if (restamp || metadata["deletionTimestamp"] is null)
        {
            metadata["deletionTimestamp"] = Timestamp(Time.GetUtcNow().AddSeconds(grace));
        }

        metadata["deletionGracePeriodSeconds"] = grace;
        return next;
    }

    private static JsonObject Comparable(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        if (copy["metadata"] is JsonObject metadata)
        {
            metadata.Remove("resourceVersion");
            metadata.Remove("generation");
            metadata.Remove("managedFields");
        }

        return copy;
    }

    private static void PrepareForCreate(ApiResource resource, JsonObject obj)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        if (resource == ApiResources.Pods)
        {
            var status = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "Burstable" };
            if (obj["spec"] is JsonObject spec)
            {
                spec["schedulerName"] ??= "default-scheduler";
                spec["restartPolicy"] ??= "Always";
                spec["terminationGracePeriodSeconds"] ??= 30;
                spec["dnsPolicy"] ??= "ClusterFirst";
                spec["priority"] ??= 0;
                spec["enableServiceLinks"] ??= true;
                spec["preemptionPolicy"] ??= "PreemptLowerPriority";
                spec["serviceAccountName"] ??= "default";
                spec["tolerations"] ??= new JsonArray(
                    Toleration("node.kubernetes.io/not-ready"), Toleration("node.kubernetes.io/unreachable"));
                foreach (var container in spec["containers"] as JsonArray ?? [])
                {
                    if (container is JsonObject c)
                    {
                        c["imagePullPolicy"] ??= "IfNotPresent";
                        c["terminationMessagePath"] ??= "/dev/termination-log";
                        c["terminationMessagePolicy"] ??= "File";
                        c["resources"] ??= new JsonObject();
                    }
                }
            }

            obj["status"] = status;
        }
        else if (resource == ApiResources.Namespaces)
        {
            var labels = metadata["labels"] as JsonObject ?? new JsonObject();
            labels["kubernetes.io/metadata.name"] = NameOf(obj);
            metadata["labels"] = labels;
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (resource != ApiResources.Nodes && resource.HasStatus)
        {
            // What a client sends as the status of a new object is not kept (nodes excepted: the kubelet creates them).
            obj.Remove("status");
        }

        if (resource == ApiResources.Deployments && obj["spec"] is JsonObject deployment)
        {
            deployment["replicas"] ??= 1;
            deployment["revisionHistoryLimit"] ??= 10;
            deployment["progressDeadlineSeconds"] ??= 600;
            deployment["strategy"] ??= JsonNode.Parse("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}""");
        }
        else if (resource is { Plural: "replicasets" or "statefulsets" } && obj["spec"] is JsonObject set)
        {
            set["replicas"] ??= 1;
        }

        static JsonObject Toleration(string key) => new()
        {
            ["key"] = key,
            ["operator"] = "Exists",
            ["effect"] = "NoExecute",
            ["tolerationSeconds"] = 300,
        };
    }

    private JsonObject StoreLocked(ApiResource resource, string key, JsonObject obj, JsonObject? previous)
    {
        ((JsonObject)obj["metadata"]!)["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        _objects[resource][key] = obj;
        PublishLocked(new StoreEvent(previous is null ? "ADDED" : "MODIFIED", resource, obj, previous, _revision));
        return obj;
    }

    private void RemoveLocked(ApiResource resource, string key, JsonObject last)
    {
        _objects[resource].Remove(key, out var previous);
        var deleted = (JsonObject)last.DeepClone();
        ((JsonObject)deleted["metadata"]!)["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        PublishLocked(new StoreEvent("DELETED", resource, deleted, previous, _revision));
    }

    private void PublishLocked(StoreEvent change)
    {
        _history.Enqueue(change);
        while (_history.Count > _historyLimit)
        {
            _compactedThrough = _history.Dequeue().Revision;
        }

        foreach (var watch in _watches)
        {
            if (watch.Resource == change.Resource)
            {
                watch.Offer(change);
            }
        }
    }

    private static ApiException Invalid(ApiResource resource, string name, string message) => ApiException.Invalid(resource, name, message);
}

/// <summary>An open watch on one kind (optionally one namespace); dispose to close it.</summary>
public sealed class StoreWatch : IDisposable
{
    private readonly ObjectStore _store;
    private readonly Channel<StoreEvent> _events = Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });

    internal StoreWatch(ObjectStore store, ApiResource resource, string? objectNamespace)
    {
        _store = store;
        Resource = resource;
        Namespace = objectNamespace;
    }

    public ApiResource Resource { get; }

    public string? Namespace { get; }

    public ChannelReader<StoreEvent> Events => _events.Reader;

    internal void Offer(StoreEvent change)
    {
        if (Namespace is null || change.Type == StoreEvent.Bookmark || ObjectStore.NamespaceOf(change.Item) == Namespace)
        {
            _events.Writer.TryWrite(change);
        }
    }

    /// <summary>Ends the stream (the reader sees its end), as the server does when a watch times out.</summary>
    public void Close() => _events.Writer.TryComplete();

    /// <summary>Queues a BOOKMARK (type <see cref="StoreEvent.Bookmark"/>) at the store's current version.</summary>
    public void Bookmark() => _store.Bookmark(this);

    /// <summary>
    /// Ends the stream with 410 Expired, as when the history it reads from was compacted away: the reader gets what
    /// was queued, then an <see cref="ApiException"/>.
    /// </summary>
    public void Expire(long sinceRevision) =>
        _events.Writer.TryComplete(new ApiException(410, "Expired", $"too old resource version: {sinceRevision} ({_store.Revision})"));

    public void Dispose()
    {
        _events.Writer.TryComplete();
        _store.Unwatch(this);
    }
}
