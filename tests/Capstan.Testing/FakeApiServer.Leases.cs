using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Capstan.Testing;

/// <summary>
/// The <c>coordination.k8s.io/v1</c> Leases of <see cref="FakeApiServer"/>, served as the API server's lease storage
/// does: get, create (409 AlreadyExists when taken), replace guarded by <c>metadata.resourceVersion</c> (required, 409
/// Conflict when stale; a replace of a missing lease creates it, as leases allow create-on-update) and delete (with
/// optional preconditions). Every write takes a new resourceVersion from the server's counter. Requests pass through
/// the same recording and injected faults as every other path.
/// </summary>
public sealed partial class FakeApiServer
{
    private const string LeasesPrefix = "/apis/coordination.k8s.io/v1/namespaces/";
    private const string LeaseResource = "leases.coordination.k8s.io";

    private readonly SortedDictionary<string, JsonObject> _leases = new(StringComparer.Ordinal);

    /// <summary>The path of one lease, as the client calls it.</summary>
    public static string LeasePath(string leaseNamespace, string name) => $"{LeasesPrefix}{leaseNamespace}/leases/{name}";

    /// <summary>A copy of the stored lease, or null.</summary>
    public JsonObject? FindLease(string leaseNamespace, string name)
    {
        lock (_gate)
        {
            return _leases.TryGetValue(Key(leaseNamespace, name), out var lease) ? (JsonObject)lease.DeepClone() : null;
        }
    }

    /// <summary>Creates or replaces a lease (namespace from <c>metadata.namespace</c>, else <c>default</c>) at a new resourceVersion, unconditionally.</summary>
    public void UpsertLease(JsonObject lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var copy = (JsonObject)lease.DeepClone();
        var metadata = copy["metadata"] as JsonObject ?? throw new ArgumentException("metadata.name is required", nameof(lease));
        var name = metadata["name"]?.GetValue<string>() ?? throw new ArgumentException("metadata.name is required", nameof(lease));
        var leaseNamespace = metadata["namespace"]?.GetValue<string>() ?? "default";
        lock (_gate)
        {
            _leases.TryGetValue(Key(leaseNamespace, name), out var current);
            StoreLeaseLocked(leaseNamespace, name, copy, current);
        }
    }

    /// <summary>Drops the injected faults not yet used on lease paths (an API server that has healed); returns how many.</summary>
    public int ClearLeaseFaults()
    {
        lock (_faults)
        {
            var all = _faults.ToArray();
            _faults.Clear();
            foreach (var fault in all.Where(f => !IsLeasePath(f.Path)))
            {
                _faults.Enqueue(fault);
            }

            return all.Length - _faults.Count;
        }
    }

    private void MapLeases(WebApplication app)
    {
        const string collection = LeasesPrefix + "{ns}/leases";
        const string item = collection + "/{name}";

        app.MapGet(item, (string ns, string name) =>
            FindLease(ns, name) is { } lease ? Results.Text(lease.ToJsonString(), "application/json") : LeaseNotFound(name));

        app.MapPost(collection, async (string ns, HttpRequest request) =>
        {
            var (body, error) = await ReadLeaseBodyAsync(request, ns);
            if (error is not null)
            {
                return error;
            }

            var metadata = (JsonObject)body!["metadata"]!;
            lock (_gate)
            {
                var name = metadata["name"]?.GetValue<string>();
                if (string.IsNullOrEmpty(name))
                {
                    if (metadata["generateName"]?.GetValue<string>() is not { Length: > 0 } prefix)
                    {
                        return StatusResult(HttpStatusCode.UnprocessableEntity, "Invalid",
                            "Lease.coordination.k8s.io \"\" is invalid: metadata.name: Required value: name or generateName is required");
                    }

                    name = prefix + (_revision + 1).ToString("x5", CultureInfo.InvariantCulture);
                    metadata["name"] = name;
                }

                if (metadata["resourceVersion"]?.GetValue<string>() is { Length: > 0 })
                {
                    return StatusResult(HttpStatusCode.InternalServerError, "InternalError", "resourceVersion should not be set on objects to be created");
                }

                if (_leases.ContainsKey(Key(ns, name)))
                {
                    return StatusResult(HttpStatusCode.Conflict, "AlreadyExists", $"{LeaseResource} \"{name}\" already exists");
                }

                var stored = StoreLeaseLocked(ns, name, body, current: null);
                return Results.Text(stored.ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created);
            }
        });

        app.MapPut(item, async (string ns, string name, HttpRequest request) =>
        {
            var (body, error) = await ReadLeaseBodyAsync(request, ns);
            if (error is not null)
            {
                return error;
            }

            var metadata = (JsonObject)body!["metadata"]!;
            if (metadata["name"]?.GetValue<string>() is { } bodyName && bodyName != name)
            {
                return StatusResult(HttpStatusCode.BadRequest, "BadRequest", $"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            metadata["name"] = name;
            lock (_gate)
            {
                if (!_leases.TryGetValue(Key(ns, name), out var current))
                {
                    // Leases allow create-on-update: the API server creates the missing object.
                    metadata.Remove("resourceVersion");
                    metadata.Remove("uid");
                    var created = StoreLeaseLocked(ns, name, body, current: null);
                    return Results.Text(created.ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created);
                }

                if (metadata["resourceVersion"]?.GetValue<string>() is not { Length: > 0 } wanted)
                {
                    return StatusResult(HttpStatusCode.UnprocessableEntity, "Invalid",
                        $"Lease.coordination.k8s.io \"{name}\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
                }

                if (wanted != current["metadata"]?["resourceVersion"]?.GetValue<string>())
                {
                    return LeaseConflict(name);
                }

                var currentUid = current["metadata"]?["uid"]?.GetValue<string>();
                if (metadata["uid"]?.GetValue<string>() is { Length: > 0 } uid && uid != currentUid)
                {
                    return StatusResult(HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on {LeaseResource} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {currentUid}");
                }

                var replaced = StoreLeaseLocked(ns, name, body, current);
                return Results.Text(replaced.ToJsonString(), "application/json");
            }
        });

        app.MapDelete(item, async (string ns, string name, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            JsonNode? preconditions = null;
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    preconditions = JsonNode.Parse(text)?["preconditions"];
                }
                catch (JsonException)
                {
                    return StatusResult(HttpStatusCode.BadRequest, "BadRequest", "the body of the request is not valid JSON");
                }
            }

            lock (_gate)
            {
                if (!_leases.TryGetValue(Key(ns, name), out var current))
                {
                    return LeaseNotFound(name);
                }

                var metadata = (JsonObject)current["metadata"]!;
                var uid = metadata["uid"]?.GetValue<string>();
                if (preconditions?["uid"]?.GetValue<string>() is { Length: > 0 } wantedUid && wantedUid != uid)
                {
                    return StatusResult(HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on {LeaseResource} \"{name}\": Precondition failed: UID in precondition: {wantedUid}, UID in object meta: {uid}");
                }

                if (preconditions?["resourceVersion"]?.GetValue<string>() is { Length: > 0 } wantedVersion
                    && wantedVersion != metadata["resourceVersion"]?.GetValue<string>())
                {
                    return LeaseConflict(name);
                }

                _leases.Remove(Key(ns, name));
                Interlocked.Increment(ref _revision);
                var status = new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Success",
                    ["details"] = new JsonObject { ["name"] = name, ["group"] = "coordination.k8s.io", ["kind"] = "leases", ["uid"] = uid },
                };
                return Results.Text(status.ToJsonString(), "application/json");
            }
        });
    }

    /// <summary>Reads a Lease body, checking its kind and namespace against the URL; fills the namespace in.</summary>
    private static async Task<(JsonObject? Body, IResult? Error)> ReadLeaseBodyAsync(HttpRequest request, string leaseNamespace)
    {
        JsonNode? parsed;
        try
        {
            parsed = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return (null, StatusResult(HttpStatusCode.BadRequest, "BadRequest", "the body of the request is not valid JSON"));
        }

        if (parsed is not JsonObject body)
        {
            return (null, StatusResult(HttpStatusCode.BadRequest, "BadRequest", "the body of the request is not a JSON object"));
        }

        if (body["kind"]?.GetValue<string>() is { } kind && kind != "Lease")
        {
            return (null, StatusResult(HttpStatusCode.BadRequest, "BadRequest", $"the kind of the object ({kind}) is not Lease"));
        }

        var metadata = body["metadata"] as JsonObject ?? new JsonObject();
        body["metadata"] = metadata;
        if (metadata["namespace"]?.GetValue<string>() is { Length: > 0 } bodyNamespace && bodyNamespace != leaseNamespace)
        {
            return (null, StatusResult(HttpStatusCode.BadRequest, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"));
        }

        metadata["namespace"] = leaseNamespace;
        return (body, null);
    }

    /// <summary>
    /// Stores a lease (which the caller no longer touches) at a new resourceVersion: a new one gets a uid and a
    /// creationTimestamp, a replaced one keeps those of <paramref name="current"/>.
    /// </summary>
    private JsonObject StoreLeaseLocked(string leaseNamespace, string name, JsonObject lease, JsonObject? current)
    {
        lease["apiVersion"] = "coordination.k8s.io/v1";
        lease["kind"] = "Lease";
        var metadata = lease["metadata"] as JsonObject ?? new JsonObject();
        lease["metadata"] = metadata;
        metadata["name"] = name;
        metadata["namespace"] = leaseNamespace;
        var revision = Interlocked.Increment(ref _revision);
        if (current?["metadata"] is JsonObject kept)
        {
            metadata["uid"] = kept["uid"]?.DeepClone();
            metadata["creationTimestamp"] = kept["creationTimestamp"]?.DeepClone();
        }
        else
        {
            metadata["uid"] = $"uid-lease-{leaseNamespace}-{name}-{revision.ToString(CultureInfo.InvariantCulture)}";
            metadata["creationTimestamp"] = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        metadata["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        _leases[Key(leaseNamespace, name)] = lease;
        return (JsonObject)lease.DeepClone();
    }

    private static bool IsLeasePath(string path) =>
        path.StartsWith(LeasesPrefix, StringComparison.Ordinal) && path.Contains("/leases", StringComparison.Ordinal);

    private static IResult LeaseNotFound(string name) => StatusResult(HttpStatusCode.NotFound, "NotFound", $"{LeaseResource} \"{name}\" not found");

    private static IResult LeaseConflict(string name) => StatusResult(HttpStatusCode.Conflict, "Conflict",
        $"Operation cannot be fulfilled on {LeaseResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
}
