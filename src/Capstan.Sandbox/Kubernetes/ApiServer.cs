using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// The sandbox's Kubernetes API endpoint: HTTPS with a bearer token, the REST paths of every kind in
/// <see cref="ApiResources"/> (get, list and watch with label and field selectors, paging, resourceVersions and
/// bookmarks; create, replace, the three patch types, delete with finalizers and graceful pod deletion; the status,
/// scale, binding and eviction subresources with PodDisruptionBudgets), API discovery and server-side Tables, so
/// that KubernetesClient and kubectl both work against it. Writes of the kinds Capstan's webhooks review go
/// through <see cref="IAdmission"/> first. The objects live in an <see cref="ObjectStore"/>, which the simulated
/// scheduler, kubelet and controllers share.
/// </summary>
public sealed partial class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _token;
    private readonly List<Func<HttpContext, Func<Task>, Task>> _middleware = [];

    private ApiServer(WebApplication app, ObjectStore store, IAdmission admission, string? token)
    {
        _app = app;
        Store = store;
        Admission = admission;
        _token = token;
    }

    public ObjectStore Store { get; }

    public IAdmission Admission { get; set; }

    /// <summary>The server's address (<c>https://127.0.0.1:{port}</c>, or <c>http://</c> when it serves without TLS).</summary>
    public Uri BaseAddress { get; private set; } = new("https://127.0.0.1");

    /// <summary>The bearer token clients must present; null when the server asks for none.</summary>
    public string? Token => _token;

    /// <summary>The faults this server has been told to show (none at first).</summary>
    public ApiFaults Faults { get; } = new();

    /// <summary>How often open watches that asked for them get a BOOKMARK (on the store's clock).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Starts the endpoint on <paramref name="port"/> (0: any free one) with <paramref name="certificate"/> (with its key).</summary>
    public static Task<ApiServer> StartAsync(ObjectStore store, X509Certificate2 certificate, string token, IAdmission? admission = null, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(token);
        return StartAsync(store, new ApiServerOptions { Certificate = certificate, Token = token, Admission = admission, Port = port });
    }

    /// <summary>Starts the endpoint as <paramref name="options"/> say: HTTPS with a certificate, else plain HTTP; a bearer token, or none.</summary>
    public static async Task<ApiServer> StartAsync(ObjectStore store, ApiServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                if (options.Certificate is { } certificate)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate });
                }
            });
        });
        var app = builder.Build();
        var server = new ApiServer(app, store, options.Admission ?? NoAdmission.Instance, options.Token)
        {
            BookmarkInterval = options.BookmarkInterval,
        };
        app.Run(server.ServeAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.BaseAddress = new Uri(app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>
    /// Adds a step every request passes through before the server handles it (and before authentication), in the
    /// order added: it gets the request and the rest of the pipeline, which it may run or not. For recording,
    /// tracing or shaping traffic.
    /// </summary>
    public void Use(Func<HttpContext, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        lock (_middleware)
        {
            _middleware.Add(middleware);
        }
    }

    /// <summary>
    /// A kubeconfig for this server: its CA (none for a plain-HTTP server), the token, one context named
    /// <paramref name="name"/>.
    /// </summary>
    public string Kubeconfig(string name, string? caCertificatePem)
    {
        var ca = caCertificatePem is null
            ? ""
            : $"\n      certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(caCertificatePem))}";
        // KubernetesClient wants credentials in a kubeconfig: a server that checks none gets a token it ignores.
        var token = _token ?? "unchecked";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: {name}
                cluster:
                  server: {BaseAddress.ToString().TrimEnd('/')}{ca}
            users:
              - name: {name}-admin
                user:
                  token: {token}
            contexts:
              - name: {name}
                context:
                  cluster: {name}
                  user: {name}-admin
                  namespace: default
            current-context: {name}
            """;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private Task ServeAsync(HttpContext context)
    {
        Func<HttpContext, Func<Task>, Task>[] steps;
        lock (_middleware)
        {
            steps = [.. _middleware];
        }

        return Step(0);

        Task Step(int index) => index < steps.Length ? steps[index](context, () => Step(index + 1)) : AuthorizedAsync(context);
    }

    private async Task AuthorizedAsync(HttpContext context)
    {
        var request = context.Request;
        if (_token is not null && request.Headers.Authorization.ToString() != "Bearer " + _token)
        {
            await WriteStatusAsync(context, new ApiException(401, "Unauthorized", "Unauthorized")).ConfigureAwait(false);
            return;
        }

        if (Faults.Take(request.Method, request.Path.Value ?? "/") is { } fault)
        {
            await ServeFaultAsync(context, fault).ConfigureAwait(false);
            return;
        }

        await HandleAsync(context).ConfigureAwait(false);
    }

    /// <summary>An injected fault: the request is never answered, or answered with the fault's status before or after its work is done.</summary>
    private async Task ServeFaultAsync(HttpContext context, ApiFault fault)
    {
        switch (fault.Mode)
        {
            case FaultMode.Hang:
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, Store.Time, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up.
                }

                return;
            case FaultMode.AfterApplying:
                var body = context.Response.Body;
                context.Response.Body = new MemoryStream();
                await HandleAsync(context).ConfigureAwait(false);
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
            429 => "TooManyRequests",
            409 => "Conflict",
            504 => "Timeout",
            503 => "ServiceUnavailable",
            _ => "InternalError",
        };
        await WriteStatusAsync(context, new ApiException(fault.Status, reason, $"the server was told to fail this request with {fault.Status}")).ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        try
        {
            var path = request.Path.Value ?? "/";
            if (await ServeDiscoveryAsync(context, path).ConfigureAwait(false))
            {
                return;
            }

            if (RequestTarget.Parse(path) is not { } target || !IsServed(target.Resource))
            {
                throw new ApiException(404, "NotFound", "the server could not find the requested resource");
            }

            await ServeResourceAsync(context, target).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteStatusAsync(context, e).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            // A defect of the stand-in, not of the request: said as the server says it, and left for the host to log.
            Failed?.Invoke(context.Request.Method + " " + context.Request.Path, e);
            if (!context.Response.HasStarted)
            {
                await WriteStatusAsync(context, new ApiException(500, "InternalError", "the sandbox API server could not handle this request")).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Called with the request and the fault when the stand-in itself fails on a request.</summary>
    public Action<string, Exception>? Failed { get; set; }

    private async Task ServeResourceAsync(HttpContext context, RequestTarget target)
    {
        var request = context.Request;
        var query = request.Query;
        var resource = target.Resource;
        switch (request.Method)
        {
            case "GET" when target.Name is null && (query["watch"] == "true" || query["watch"] == "1"):
                await WatchAsync(context, target).ConfigureAwait(false);
                return;
            case "GET" when target.Name is null:
                await ListAsync(context, target).ConfigureAwait(false);
                return;
            case "GET" when target.Subresource == "scale":
                await WriteJsonAsync(context, 200, ScaleOf(Existing(target))).ConfigureAwait(false);
                return;
            case "GET":
                await WriteObjectAsync(context, 200, resource, Existing(target)).ConfigureAwait(false);
                return;
            case "POST" when target.Subresource == "binding":
                await BindAsync(context, target).ConfigureAwait(false);
                return;
            case "POST" when target.Subresource == "eviction":
                Evict(target, await ReadBodyAsync(context).ConfigureAwait(false));
                await WriteJsonAsync(context, 201, SuccessStatus()).ConfigureAwait(false);
                return;
            case "POST" when target.Name is null:
                await CreateAsync(context, target).ConfigureAwait(false);
                return;
            case "PUT" or "PATCH" when target.Subresource == "scale":
                await ScaleAsync(context, target).ConfigureAwait(false);
                return;
            case "PUT" or "PATCH" when target.Name is not null && (target.Subresource is null or "status"):
                await UpdateAsync(context, target).ConfigureAwait(false);
                return;
            case "DELETE" when target.Name is not null && target.Subresource is null:
                await DeleteAsync(context, target).ConfigureAwait(false);
                return;
            case "DELETE" when target.Name is null:
                await DeleteCollectionAsync(context, target).ConfigureAwait(false);
                return;
            default:
                throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    private JsonObject Existing(RequestTarget target) =>
        Store.Get(target.Resource, target.Namespace, target.Name!) ?? throw ApiException.NotFound(target.Resource, target.Name!);

    private async Task ListAsync(HttpContext context, RequestTarget target)
    {
        if (Faults.ListFailure(context.Request.Path.Value ?? "") is { } failure)
        {
            throw new ApiException(failure, failure == 429 ? "TooManyRequests" : "InternalError", $"the server was told to fail lists of {target.Resource.Plural} with {failure}")
            {
                RetryAfterSeconds = failure == 429 ? 1 : 0,
            };
        }

        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        var (items, revision) = Store.List(target.Resource, target.Namespace, o => (labels?.Matches(o) ?? true) && (fields?.Matches(o) ?? true));
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var offset = 0;
        if (query["continue"].ToString() is { Length: > 0 } token)
        {
            if (!TryReadContinue(token, out offset, out var listedAt))
            {
                throw ApiException.BadRequest("the continue token is not one this server gave");
            }

            revision = listedAt;
        }

        var page = items.Skip(offset).Take(limit).ToList();
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (offset + page.Count < items.Count)
        {
            metadata["continue"] = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{revision}:{offset + page.Count}"));
            metadata["remainingItemCount"] = items.Count - offset - page.Count;
        }

        if (Tables.Wanted(context.Request.Headers.Accept))
        {
            await WriteJsonAsync(context, 200, Tables.Of(target.Resource, page, Store.Time.GetUtcNow(), query["includeObject"], metadata)).ConfigureAwait(false);
            return;
        }

        var list = new JsonObject
        {
            ["apiVersion"] = target.Resource.ApiVersion,
            ["kind"] = target.Resource.ListKind,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page.Select(o => o.DeepClone())]),
        };
        await WriteJsonAsync(context, 200, list).ConfigureAwait(false);
    }

    private static bool TryReadContinue(string token, out int offset, out long revision)
    {
        offset = 0;
        revision = 0;
        try
        {
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(token)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out revision)
                && int.TryParse(parts[1], CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private async Task CreateAsync(HttpContext context, RequestTarget target) =>
        await CreateAsync(context, target, await ReadBodyAsync(context).ConfigureAwait(false)).ConfigureAwait(false);

    private async Task CreateAsync(HttpContext context, RequestTarget target, JsonObject body)
    {
        var metadata = body["metadata"] as JsonObject ?? new JsonObject();
        body["metadata"] = metadata;
        if (target.Resource.Namespaced)
        {
            var inBody = (string?)metadata["namespace"];
            if (inBody is not null && target.Namespace is not null && inBody != target.Namespace)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = target.Namespace ?? inBody ?? "default";
        }

        var (admitted, warnings) = await Admission.AdmitAsync(target.Resource, "CREATE", body, null, context.RequestAborted).ConfigureAwait(false);
        if (context.Request.Query["dryRun"] == "All")
        {
            await WriteObjectAsync(context, 201, target.Resource, admitted, warnings).ConfigureAwait(false);
            return;
        }

        var created = Store.Create(target.Resource, admitted);
        await WriteObjectAsync(context, 201, target.Resource, created, warnings).ConfigureAwait(false);
    }

    private async Task UpdateAsync(HttpContext context, RequestTarget target)
    {
        var text = await ReadTextAsync(context).ConfigureAwait(false);
        var status = target.Subresource == "status";
        var resource = target.Resource;
        var name = target.Name!;
        var isPatch = context.Request.Method == "PATCH";
        JsonObject body = isPatch ? new JsonObject() : ParseObject(text);
        if (isPatch && resource.Custom && (context.Request.ContentType ?? "").Split(';')[0].Trim() == Patches.Strategic)
        {
            throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: {Patches.Json}, {Patches.Merge}, {Patches.Apply}");
        }

        if (!isPatch && !status && resource.CreateOnUpdate && Store.Get(resource, target.Namespace, name) is null)
        {
            // Created by its update, as the server allows for this kind: whatever version or uid it carried is dropped.
            if ((string?)body["metadata"]?["name"] is { } given && given != name)
            {
                throw ApiException.BadRequest($"the name of the object ({given}) does not match the name on the URL ({name})");
            }

            var metadata = body["metadata"] as JsonObject ?? new JsonObject();
            body["metadata"] = metadata;
            metadata["name"] = name;
            metadata.Remove("resourceVersion");
            metadata.Remove("uid");
            await CreateAsync(context, target, body).ConfigureAwait(false);
            return;
        }

        if (!isPatch && resource.ConditionalUpdateOnly && string.IsNullOrEmpty((string?)body["metadata"]?["resourceVersion"]))
        {
            throw ApiException.Invalid(resource, name, "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
        }

        for (var attempt = 0; ; attempt++)
        {
            var current = Existing(target);
            var next = isPatch ? Patches.ApplyPatch(current, text, context.Request.ContentType) : (JsonObject)body.DeepClone();
            var precondition = (string?)next["metadata"]?["resourceVersion"];
            if (isPatch && precondition is null)
            {
                // A patch without a resourceVersion applies to whatever is current: retried on a race, as the server does.
                precondition = (string?)current["metadata"]?["resourceVersion"];
            }

            if ((string?)next["metadata"]?["name"] is { } named && named != name)
            {
                throw ApiException.BadRequest($"the name of the object ({named}) does not match the name on the URL ({name})");
            }

            var warnings = (IReadOnlyList<string>)[];
            if (!status)
            {
                (next, warnings) = await Admission.AdmitAsync(resource, "UPDATE", next, current, context.RequestAborted).ConfigureAwait(false);
            }

            try
            {
                var stored = Store.Update(resource, target.Namespace, name, latest =>
                {
                    if (!string.IsNullOrEmpty(precondition) && precondition != (string?)latest["metadata"]?["resourceVersion"])
                    {
                        throw ApiException.Conflict(resource, name);
                    }

                    if ((string?)next["metadata"]?["uid"] is { Length: > 0 } uid && uid != (string?)latest["metadata"]?["uid"])
                    {
                        throw new ApiException(409, "Conflict",
                            $"Operation cannot be fulfilled on {resource.Plural}{(resource.Group.Length == 0 ? "" : "." + resource.Group)} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {(string?)latest["metadata"]?["uid"]}");
                    }

                    return next;
                }, status) ?? Existing(target);
                await WriteObjectAsync(context, 200, resource, stored, warnings).ConfigureAwait(false);
                return;
            }
            catch (ApiException e) when (e.Code == 409 && isPatch && (string?)Patched(text)?["metadata"]?["resourceVersion"] is null && attempt < 5)
            {
                // Someone wrote in between: patch the newer object.
            }
        }

        static JsonObject? Patched(string text)
        {
            try
            {
                return JsonNode.Parse(text) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    private async Task DeleteAsync(HttpContext context, RequestTarget target)
    {
        var options = await ReadOptionalBodyAsync(context).ConfigureAwait(false);
        var grace = JsonNumbers.Whole(options?["gracePeriodSeconds"]);
        if (long.TryParse(context.Request.Query["gracePeriodSeconds"], CultureInfo.InvariantCulture, out var g))
        {
            grace = g;
        }

        var uid = (string?)options?["preconditions"]?["uid"];
        var version = (string?)options?["preconditions"]?["resourceVersion"];
        var before = Existing(target);
        var after = Store.Delete(target.Resource, target.Namespace, target.Name!, grace, uid, version);
        await WriteObjectAsync(context, 200, target.Resource, after ?? before).ConfigureAwait(false);
    }

    private async Task DeleteCollectionAsync(HttpContext context, RequestTarget target)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"]);
        var (items, _) = Store.List(target.Resource, target.Namespace, o => (labels?.Matches(o) ?? true) && (fields?.Matches(o) ?? true));
        foreach (var item in items)
        {
            try
            {
                Store.Delete(target.Resource, ObjectStore.NamespaceOf(item), ObjectStore.NameOf(item));
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Gone in between.
            }
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["apiVersion"] = target.Resource.ApiVersion,
            ["kind"] = target.Resource.ListKind,
            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.Revision.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray([.. items.Select(i => i.DeepClone())]),
        }).ConfigureAwait(false);
    }

    private async Task BindAsync(HttpContext context, RequestTarget target)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (Faults.BindingFailure is { } failure)
        {
            throw new ApiException(failure, failure == 409 ? "Conflict" : "InternalError", $"the server was told to fail bindings with {failure}");
        }

        Bind(target.Namespace!, target.Name!, (string?)body["target"]?["name"], (string?)body["metadata"]?["uid"]);
        await WriteJsonAsync(context, 201, SuccessStatus()).ConfigureAwait(false);
    }

    /// <summary>What a Binding does: the pod gets its node (once) and PodScheduled=True.</summary>
    public void Bind(string podNamespace, string podName, string? nodeName, string? uid = null) =>
        ApiServerBinding.Bind(Store, podNamespace, podName, nodeName, uid);

    private async Task ScaleAsync(HttpContext context, RequestTarget target)
    {
        var text = await ReadTextAsync(context).ConfigureAwait(false);
        var current = Existing(target);
        var scale = context.Request.Method == "PATCH" ? Patches.ApplyPatch(ScaleOf(current), text, context.Request.ContentType) : ParseObject(text);
        if (JsonNumbers.Count(scale["spec"]?["replicas"]) is not { } replicas || replicas < 0)
        {
            throw ApiException.Invalid(target.Resource, target.Name!, "spec.replicas: Invalid value: must be greater than or equal to 0");
        }

        var updated = Store.Update(target.Resource, target.Namespace, target.Name!, workload =>
        {
            workload["spec"]!["replicas"] = replicas;
            return workload;
        }) ?? current;
        await WriteJsonAsync(context, 200, ScaleOf(updated)).ConfigureAwait(false);
    }

    /// <summary>The <c>autoscaling/v1</c> Scale of a Deployment, ReplicaSet or StatefulSet.</summary>
    public static JsonObject ScaleOf(JsonObject workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var metadata = workload["metadata"]!;
        var selector = workload["spec"]?["selector"]?["matchLabels"] as JsonObject ?? [];
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = JsonNumbers.Count(workload["spec"]?["replicas"]) ?? 1 },
            ["status"] = new JsonObject
            {
                ["replicas"] = JsonNumbers.Count(workload["status"]?["replicas"]) ?? 0,
                ["selector"] = string.Join(',', selector.Select(kv => $"{kv.Key}={(string?)kv.Value}")),
            },
        };
    }

    private static JsonObject SuccessStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["code"] = 201,
    };

    private static async Task<string> ReadTextAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext context)
    {
        var type = context.Request.ContentType ?? "application/json";
        if (!type.StartsWith("application/json", StringComparison.Ordinal) && !type.StartsWith("*/*", StringComparison.Ordinal))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format ({type}); send application/json");
        }

        return ParseObject(await ReadTextAsync(context).ConfigureAwait(false));
    }

    private static async Task<JsonObject?> ReadOptionalBodyAsync(HttpContext context)
    {
        var text = await ReadTextAsync(context).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? null : ParseObject(text);
    }

    private static JsonObject ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON (line {e.LineNumber + 1})");
        }
    }

    private Task WriteObjectAsync(HttpContext context, int code, ApiResource resource, JsonObject obj, IReadOnlyList<string>? warnings = null)
    {
        foreach (var warning in warnings ?? [])
        {
            // RFC 7234 warn-code 299, as the API server sends admission warnings; kubectl prints "Warning: ...".
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "'", StringComparison.Ordinal)}\"");
        }

        if (Tables.Wanted(context.Request.Headers.Accept))
        {
            return WriteJsonAsync(context, code, Tables.Of(resource, [obj], Store.Time.GetUtcNow(), context.Request.Query["includeObject"]));
        }

        return WriteJsonAsync(context, code, obj);
    }

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteStatusAsync(HttpContext context, ApiException e)
    {
        var status = StatusObject(e);
        if (e.Details is { } details)
        {
            status["details"] = details.DeepClone();
        }

        if (e.RetryAfterSeconds > 0)
        {
            var retry = status["details"] as JsonObject ?? new JsonObject();
            retry["retryAfterSeconds"] = e.RetryAfterSeconds;
            status["details"] = retry;
            context.Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, e.Code, status);
    }
}
