using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Capstan.Testing;

/// <summary>
/// An in-process Kestrel on http://127.0.0.1:{random port} that answers the few core/v1 calls Capstan
/// makes the way the API server does (status codes, <c>Status</c> bodies), so adapters can be tested
/// with the real KubernetesClient. It keeps pods (with their node) and nodes, and records every request.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakePod> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _evictionBlocked = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly WebApplication _app;

    private FakeApiServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Where KubernetesClient should point (<c>KubernetesClientConfiguration.Host</c>).</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1");

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>When set, every binding call answers this status (with a Status body) instead of binding.</summary>
    public HttpStatusCode? BindingFailure { get; set; }

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

    public void AddPod(string podNamespace, string podName, string uid, string? nodeName = null) =>
        _pods[Key(podNamespace, podName)] = new FakePod(podNamespace, podName, uid, nodeName);

    public void AddNode(string nodeName) =>
        _nodes[nodeName] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = nodeName } };

    public void BlockEviction(string podNamespace, string podName) => _evictionBlocked[Key(podNamespace, podName)] = true;

    /// <summary>The node the pod is bound to, or null.</summary>
    public string? NodeOf(string podNamespace, string podName) =>
        _pods.TryGetValue(Key(podNamespace, podName), out var pod) ? pod.NodeName : null;

    public bool HasPod(string podNamespace, string podName) => _pods.ContainsKey(Key(podNamespace, podName));

    public JsonObject? FindNode(string nodeName) => _nodes.TryGetValue(nodeName, out var node) ? node : null;

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", body));
            await next(context);
        });

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
            lock (_pods)
            {
                if (!_pods.TryGetValue(key, out var pod))
                {
                    return StatusResult(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found");
                }

                if (!string.IsNullOrEmpty(uid) && uid != pod.Uid)
                {
                    return StatusResult(HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on pods/binding \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {pod.Uid}");
                }

                if (pod.NodeName is not null)
                {
                    return StatusResult(HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{pod.NodeName}\"");
                }

                _pods[key] = pod with { NodeName = target };
            }

            return StatusResult(HttpStatusCode.Created, null, null);
        });

        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) =>
            _pods.TryGetValue(Key(ns, name), out var pod)
                ? Results.Text(PodJson(pod), "application/json")
                : StatusResult(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found"));

        app.MapPost("/api/v1/namespaces/{ns}/pods/{name}/eviction", (string ns, string name) =>
        {
            var key = Key(ns, name);
            if (_evictionBlocked.ContainsKey(key))
            {
                return StatusResult(HttpStatusCode.TooManyRequests, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
            }

            return _pods.TryRemove(key, out _)
                ? StatusResult(HttpStatusCode.Created, null, null)
                : StatusResult(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found");
        });

        app.MapPost("/api/v1/nodes", async (HttpRequest request) =>
        {
            if (await JsonNode.ParseAsync(request.Body) is not JsonObject node || node["metadata"]?["name"]?.GetValue<string>() is not { } name)
            {
                return StatusResult(HttpStatusCode.BadRequest, "BadRequest", "metadata.name is required");
            }

            return _nodes.TryAdd(name, node)
                ? Results.Text(node.ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created)
                : StatusResult(HttpStatusCode.Conflict, "AlreadyExists", $"nodes \"{name}\" already exists");
        });

        app.MapMethods("/api/v1/nodes/{name}", ["PATCH"], async (string name, HttpRequest request) =>
        {
            if (!_nodes.TryGetValue(name, out var node))
            {
                return StatusResult(HttpStatusCode.NotFound, "NotFound", $"nodes \"{name}\" not found");
            }

            if (await JsonNode.ParseAsync(request.Body) is JsonObject { } patch && patch["spec"]?["unschedulable"] is { } unschedulable)
            {
                lock (node)
                {
                    var spec = node["spec"] as JsonObject ?? new JsonObject();
                    spec["unschedulable"] = unschedulable.DeepClone();
                    node["spec"] = spec;
                }
            }

            return Results.Text(node.ToJsonString(), "application/json");
        });

        app.MapDelete("/api/v1/nodes/{name}", (string name) =>
            _nodes.TryRemove(name, out _)
                ? StatusResult(HttpStatusCode.OK, null, null)
                : StatusResult(HttpStatusCode.NotFound, "NotFound", $"nodes \"{name}\" not found"));
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

        return Results.Text(status.ToJsonString(), "application/json", statusCode: (int)code);
    }

    private static string PodJson(FakePod pod) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["uid"] = pod.Uid },
        ["spec"] = pod.NodeName is null ? new JsonObject() : new JsonObject { ["nodeName"] = pod.NodeName },
        ["status"] = new JsonObject { ["phase"] = "Pending" },
    }.ToJsonString(s_compact);

    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false };

    private static string Key(string podNamespace, string podName) => podNamespace + "/" + podName;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record FakePod(string Namespace, string Name, string Uid, string? NodeName);
}
