using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Capstan.Testing;

/// <summary>
/// The write side of <see cref="FakeApiServer"/>: reads of single objects, patches (JSON merge patch, and strategic
/// merge patch for core kinds, applied as a merge patch: lists are replaced) with resourceVersion preconditions,
/// deletion that waits for finalizers, the provisioners' status subresource, core/v1 Events, and injected faults.
/// </summary>
public sealed partial class FakeApiServer
{
    private const string MergePatch = "application/merge-patch+json";
    private const string StrategicMergePatch = "application/strategic-merge-patch+json";

    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentDictionary<string, JsonObject> _events = new(StringComparer.Ordinal);
    private Random? _chaos;
    private double _chaosProbability;
    private int _chaosInjected;

    /// <summary>What an injected fault does to the next matching requests.</summary>
    public enum FaultMode
    {
        /// <summary>Answers the status without touching anything.</summary>
        Reject,

        /// <summary>Does the work, then answers the status instead of the result: the client cannot tell it succeeded.</summary>
        AfterApplying,

        /// <summary>Never answers (until the client gives up).</summary>
        Hang,
    }

    /// <summary>The Events created, by namespace/name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Events => _events.ToDictionary(kv => kv.Key, kv => (JsonObject)kv.Value.DeepClone(), StringComparer.Ordinal);

    /// <summary>
    /// Makes the next <paramref name="times"/> requests of <paramref name="method"/> on exactly <paramref name="path"/>
    /// fail with <paramref name="status"/> (a Status body, and a <c>Retry-After</c> header when given).
    /// </summary>
    public void InjectFault(string method, string path, HttpStatusCode status, int times = 1, int? retryAfterSeconds = null, FaultMode mode = FaultMode.Reject)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue(new Fault(method, path, status, retryAfterSeconds, mode));
        }
    }

    public JsonObject? FindProvisioner(string name) => Find(Kind.Provisioner, name);

    public JsonObject? FindPod(string podNamespace, string podName) => Find(Kind.Pod, Key(podNamespace, podName));

    /// <summary>
    /// From now on, each write (POST, PUT, PATCH, DELETE) fails with <paramref name="probability"/>, drawn from a
    /// generator seeded with <paramref name="seed"/>: 429 with <c>Retry-After: 1</c>, 500 (half of those after the
    /// work was done, so the client cannot tell), or, where the real server can answer it (updates, patches,
    /// bindings), 409. A probability of 0 turns it off.
    /// </summary>
    public void InjectRandomWriteFaults(int seed, double probability)
    {
        lock (_faults)
        {
            _chaos = probability > 0 ? new Random(seed) : null;
            _chaosProbability = probability;
        }
    }

    /// <summary>Writes answered with a random fault so far.</summary>
    public int RandomFaultsInjected => Volatile.Read(ref _chaosInjected);

    private bool TakeRandomFault(string method, string path, out Fault fault)
    {
        fault = default;
        if (method is not ("POST" or "PUT" or "PATCH" or "DELETE"))
        {
            return false;
        }

        lock (_faults)
        {
            if (_chaos is null || _chaos.NextDouble() >= _chaosProbability)
            {
                return false;
            }

            // A create can only conflict because the object exists; that is no fault to inject.
            var conflictPossible = method is "PUT" or "PATCH" || path.EndsWith("/binding", StringComparison.Ordinal);
            var pick = _chaos.Next(conflictPossible ? 4 : 3);
            fault = pick switch
            {
                0 => new Fault(method, path, HttpStatusCode.TooManyRequests, 1, FaultMode.Reject),
                1 => new Fault(method, path, HttpStatusCode.InternalServerError, null, FaultMode.Reject),
                2 => new Fault(method, path, HttpStatusCode.InternalServerError, null, FaultMode.AfterApplying),
                _ => new Fault(method, path, HttpStatusCode.Conflict, null, FaultMode.Reject),
            };
            Interlocked.Increment(ref _chaosInjected);
            return true;
        }
    }

    private async Task ServeWithFaultsAsync(HttpContext context, RequestDelegate next)
    {
        if (!TakeFault(context.Request.Method, context.Request.Path.Value ?? "", out var fault)
            && !TakeRandomFault(context.Request.Method, context.Request.Path.Value ?? "", out fault))
        {
            await next(context);
            return;
        }

        switch (fault.Mode)
        {
            case FaultMode.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case FaultMode.AfterApplying:
                var body = context.Response.Body;
                context.Response.Body = new MemoryStream();
                await next(context);
                context.Response.Clear();
                context.Response.Body = body;
                break;
        }

        if (fault.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var reason = fault.Status switch
        {
            HttpStatusCode.TooManyRequests => "TooManyRequests",
            HttpStatusCode.Conflict => "Conflict",
            HttpStatusCode.GatewayTimeout => "Timeout",
            _ => "InternalError",
        };
        await StatusResult(fault.Status, reason, $"injected {(int)fault.Status} for {fault.Method} {fault.Path}").ExecuteAsync(context);
    }

    private bool TakeFault(string method, string path, out Fault fault)
    {
        lock (_faults)
        {
            var all = _faults.ToArray();
            var index = Array.FindIndex(all, f => f.Method == method && f.Path == path);
            if (index < 0)
            {
                fault = default;
                return false;
            }

            fault = all[index];
            _faults.Clear();
            for (var i = 0; i < all.Length; i++)
            {
                if (i != index)
                {
                    _faults.Enqueue(all[i]);
                }
            }

            return true;
        }
    }

    private void MapWrites(WebApplication app)
    {
        app.MapGet("/api/v1/nodes/{name}", (string name) => Read(Kind.Node, name, $"nodes \"{name}\" not found"));
        app.MapMethods("/api/v1/nodes/{name}", ["PATCH"], async (string name, HttpRequest request) =>
            PatchLocked(Kind.Node, name, await JsonNode.ParseAsync(request.Body), request.ContentType, allowStrategic: true, PatchPart.All));
        app.MapDelete("/api/v1/nodes/{name}", (string name) => DeleteWithFinalizers(Kind.Node, name, $"nodes \"{name}\" not found"));
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) => DeleteWithFinalizers(Kind.Pod, Key(ns, name), $"pods \"{name}\" not found"));

        app.MapGet(ProvisionersPath + "/{name}", (string name) => Read(Kind.Provisioner, name, NotFoundProvisioner(name)));
        app.MapGet(ProvisionersPath + "/{name}/status", (string name) => Read(Kind.Provisioner, name, NotFoundProvisioner(name)));
        app.MapMethods(ProvisionersPath + "/{name}", ["PATCH"], async (string name, HttpRequest request) =>
            PatchLocked(Kind.Provisioner, name, await JsonNode.ParseAsync(request.Body), request.ContentType, allowStrategic: false, PatchPart.AllButStatus));
        app.MapMethods(ProvisionersPath + "/{name}/status", ["PATCH"], async (string name, HttpRequest request) =>
            PatchLocked(Kind.Provisioner, name, await JsonNode.ParseAsync(request.Body), request.ContentType, allowStrategic: false, PatchPart.StatusOnly));

        app.MapPost("/api/v1/namespaces/{ns}/events", async (string ns, HttpRequest request) =>
        {
            if (await JsonNode.ParseAsync(request.Body) is not JsonObject e || e["metadata"]?["name"]?.GetValue<string>() is not { Length: > 0 } name)
            {
                return StatusResult(HttpStatusCode.BadRequest, "BadRequest", "metadata.name is required");
            }

            if (e["metadata"]?["namespace"]?.GetValue<string>() is { } bodyNamespace && bodyNamespace != ns)
            {
                return StatusResult(HttpStatusCode.BadRequest, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
            }

            if (e["involvedObject"] is not JsonObject || e["reason"] is null)
            {
                return StatusResult(HttpStatusCode.UnprocessableEntity, "Invalid", $"Event \"{name}\" is invalid: involvedObject and reason are required");
            }

            var metadata = (JsonObject)e["metadata"]!;
            metadata["namespace"] = ns;
            metadata["uid"] = "uid-event-" + name;
            metadata["resourceVersion"] = Interlocked.Increment(ref _revision).ToString(CultureInfo.InvariantCulture);
            return _events.TryAdd(Key(ns, name), e)
                ? Results.Text(e.ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created)
                : StatusResult(HttpStatusCode.Conflict, "AlreadyExists", $"events \"{name}\" already exists");
        });
    }

    private static string NotFoundProvisioner(string name) => $"provisioners.karpenter.sh \"{name}\" not found";

    private IResult Read(Kind kind, string key, string notFound) =>
        Find(kind, key) is { } found
            ? Results.Text(found.ToJsonString(), "application/json")
            : StatusResult(HttpStatusCode.NotFound, "NotFound", notFound);

    private IResult PatchLocked(Kind kind, string key, JsonNode? patch, string? contentType, bool allowStrategic, PatchPart part)
    {
        var type = contentType?.Split(';')[0].Trim();
        if (type != MergePatch && !(allowStrategic && type == StrategicMergePatch))
        {
            return StatusResult(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {MergePatch}{(allowStrategic ? ", " + StrategicMergePatch : "")}");
        }

        if (patch is not JsonObject changes)
        {
            return StatusResult(HttpStatusCode.BadRequest, "BadRequest", "the patch is not a JSON object");
        }

        var (_, kindName) = TypeOf(kind);
        var resource = kindName.ToLowerInvariant() + "s";
        var name = key.Contains('/', StringComparison.Ordinal) ? key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..] : key;
        lock (_gate)
        {
            if (!_objects[kind].TryGetValue(key, out var current))
            {
                return StatusResult(HttpStatusCode.NotFound, "NotFound", $"{resource} \"{name}\" not found");
            }

            changes = (JsonObject)changes.DeepClone();
            if (changes["metadata"] is JsonObject metadataPatch && metadataPatch["resourceVersion"] is { } wanted)
            {
                if (wanted.GetValue<string>() != current["metadata"]?["resourceVersion"]?.GetValue<string>())
                {
                    return StatusResult(HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
                }

                metadataPatch.Remove("resourceVersion");
            }

            switch (part)
            {
                case PatchPart.StatusOnly:
                    changes = changes["status"] is { } status ? new JsonObject { ["status"] = status.DeepClone() } : [];
                    break;
                case PatchPart.AllButStatus:
                    changes.Remove("status");
                    break;
            }

            var patched = (JsonObject)Merge(current.DeepClone(), changes)!;
            var deleting = current["metadata"]?["deletionTimestamp"] is not null;
            var before = Finalizers(current);
            var after = Finalizers(patched);
            if (deleting && after.Except(before).Any())
            {
                return StatusResult(HttpStatusCode.UnprocessableEntity, "Invalid",
                    $"{kindName} \"{name}\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted");
            }

            if (deleting && after.Count == 0)
            {
                var gone = (JsonObject)patched.DeepClone();
                Delete(kind, key);
                return Results.Text(gone.ToJsonString(), "application/json");
            }

            StoreLocked(kind, key, patched, "MODIFIED");
            return Results.Text(patched.ToJsonString(), "application/json");
        }
    }

    /// <summary>As the API server deletes: an object with finalizers only gets a deletionTimestamp; the last finalizer's removal deletes it.</summary>
    private IResult DeleteWithFinalizers(Kind kind, string key, string notFound)
    {
        lock (_gate)
        {
            if (!_objects[kind].TryGetValue(key, out var current))
            {
                return StatusResult(HttpStatusCode.NotFound, "NotFound", notFound);
            }

            if (Finalizers(current).Count == 0)
            {
                Delete(kind, key);
                return Results.Text(current.ToJsonString(), "application/json");
            }

            if (current["metadata"]?["deletionTimestamp"] is not null)
            {
                return Results.Text(current.ToJsonString(), "application/json");
            }

            var marked = (JsonObject)current.DeepClone();
            ((JsonObject)marked["metadata"]!)["deletionTimestamp"] = "2024-01-01T00:10:00Z";
            StoreLocked(kind, key, marked, "MODIFIED");
            return Results.Text(marked.ToJsonString(), "application/json", statusCode: StatusCodes.Status202Accepted);
        }
    }

    private static List<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray finalizers ? [.. finalizers.Select(f => f!.GetValue<string>())] : [];

    /// <summary>RFC 7386 JSON merge patch: objects merge key by key, null removes a key, anything else replaces.</summary>
    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject changes)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            result.TryGetPropertyValue(key, out var existing);
            result.Remove(key);
            result[key] = Merge(existing, value);
        }

        return result;
    }

    private enum PatchPart
    {
        All,
        AllButStatus,
        StatusOnly,
    }

    private readonly record struct Fault(string Method, string Path, HttpStatusCode Status, int? RetryAfterSeconds, FaultMode Mode);
}
