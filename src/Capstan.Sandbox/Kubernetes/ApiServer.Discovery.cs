using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// Discovery as the API server answers it without aggregation: <c>/api</c> (APIVersions), <c>/apis</c>
/// (APIGroupList), <c>/apis/{group}</c>, and each group version's APIResourceList with verbs, short names,
/// categories and subresources, which is how kubectl maps <c>kubectl get deploy</c> to a path. Plus <c>/version</c>
/// and the health paths.
/// </summary>
public sealed partial class ApiServer
{
    private static readonly string[] s_verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly HashSet<string> s_all = new(StringComparer.Ordinal) { "pods", "services", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs" };
    private readonly ConcurrentDictionary<ApiResource, bool> _withdrawn = new();

    /// <summary>The kinds this server serves now: every kind of <see cref="ApiResources"/> not withdrawn.</summary>
    public IEnumerable<ApiResource> Served => ApiResources.All.Where(IsServed);

    public bool IsServed(ApiResource resource) => !_withdrawn.ContainsKey(resource);

    /// <summary>
    /// Stops (<paramref name="served"/> false) or starts serving a kind, as removing or installing its CRD does: while
    /// withdrawn it is left out of discovery and its paths answer 404; its stored objects stay as they are.
    /// </summary>
    public void Serve(ApiResource resource, bool served)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (served)
        {
            _withdrawn.TryRemove(resource, out _);
        }
        else
        {
            _withdrawn[resource] = true;
        }
    }

    private async Task<bool> ServeDiscoveryAsync(HttpContext context, string path)
    {
        if (context.Request.Method != "GET")
        {
            return false;
        }

        JsonNode? answer = path.TrimEnd('/') switch
        {
            "/api" => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = BaseAddress.Authority }),
            },
            "/apis" => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray([.. Groups().Select(g => (JsonNode)Group(g))]),
            },
            "/version" => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "29",
                ["gitVersion"] = "v1.29.0-capstan-sandbox",
                ["gitCommit"] = "0000000000000000000000000000000000000000",
                ["gitTreeState"] = "clean",
                ["buildDate"] = "2026-01-01T00:00:00Z",
                ["goVersion"] = "go1.21",
                ["compiler"] = "gc",
                ["platform"] = "linux/amd64",
            },
            "/healthz" or "/readyz" or "/livez" => null,
            "/openapi/v3" => OpenApiRoot(),
            var p when p.StartsWith("/openapi/v3/", StringComparison.Ordinal) => OpenApiGroupVersion(p["/openapi/v3/".Length..]),
            var p when p.StartsWith("/apis/", StringComparison.Ordinal) && p.Split('/').Length == 3 => Groups().Contains(p.Split('/')[2]) ? Group(p.Split('/')[2]) : null,
            var p => ResourceList(p),
        };
        if (path.TrimEnd('/') is "/healthz" or "/readyz" or "/livez")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
            return true;
        }

        if (answer is null)
        {
            return false;
        }

        await WriteJsonAsync(context, 200, answer).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The OpenAPI v3 index: one document per group version. kubectl reads it to learn that the server validates
    /// fields itself (the <c>fieldValidation</c> parameter of each kind's PATCH), and then leaves validation to it.
    /// </summary>
    private JsonObject OpenApiRoot()
    {
        var paths = new JsonObject();
        foreach (var gv in Served.Select(r => r.GroupVersionPath.TrimStart('/')).Distinct())
        {
            paths[gv] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash=capstan" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    private JsonObject? OpenApiGroupVersion(string groupVersionPath)
    {
        var kinds = Served.Where(r => r.GroupVersionPath.TrimStart('/') == groupVersionPath.TrimEnd('/')).ToList();
        if (kinds.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var kind in kinds)
        {
            var item = kind.Namespaced
                ? $"{kind.GroupVersionPath}/namespaces/{{namespace}}/{kind.Plural}/{{name}}"
                : $"{kind.GroupVersionPath}/{kind.Plural}/{{name}}";
            JsonObject Operation(string id) => new()
            {
                ["operationId"] = id + kind.Kind,
                ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["kind"] = kind.Kind },
                ["parameters"] = new JsonArray(
                    new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                    new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
            };
            paths[item] = new JsonObject { ["get"] = Operation("read"), ["put"] = Operation("replace"), ["patch"] = Operation("patch") };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.29.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private List<string> Groups() => [.. Served.Where(r => r.Group.Length > 0).Select(r => r.Group).Distinct()];

    private JsonObject Group(string name)
    {
        var version = Served.First(r => r.Group == name).Version;
        var groupVersion = new JsonObject { ["groupVersion"] = $"{name}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = name,
            ["versions"] = new JsonArray(groupVersion),
            ["preferredVersion"] = groupVersion.DeepClone(),
        };
    }

    private JsonObject? ResourceList(string path)
    {
        var parts = path.Trim('/').Split('/');
        var (group, version) = parts switch
        {
            ["api", var v] => ("", v),
            ["apis", var g, var v] => (g, v),
            _ => ((string?)null, (string?)null),
        };
        var kinds = Served.Where(r => r.Group == group && r.Version == version).ToList();
        if (group is null || kinds.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var kind in kinds)
        {
            var entry = new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray([.. s_verbs.Select(v => (JsonNode)v)]),
            };
            if (kind.ShortNames.Count > 0)
            {
                entry["shortNames"] = new JsonArray([.. kind.ShortNames.Select(s => (JsonNode)s)]);
            }

            if (s_all.Contains(kind.Plural))
            {
                entry["categories"] = new JsonArray("all");
            }

            resources.Add(entry);
            foreach (var sub in kind.Subresources)
            {
                var (subKind, verbs) = sub switch
                {
                    "scale" => ("Scale", new[] { "get", "patch", "update" }),
                    "binding" => ("Binding", ["create"]),
                    "eviction" => ("Eviction", ["create"]),
                    _ => (kind.Kind, new[] { "get", "patch", "update" }),
                };
                var subEntry = new JsonObject
                {
                    ["name"] = $"{kind.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = kind.Namespaced,
                    ["kind"] = subKind,
                    ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)v)]),
                };
                if (sub == "scale")
                {
                    subEntry["group"] = "autoscaling";
                    subEntry["version"] = "v1";
                }

                resources.Add(subEntry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
