using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// The three patch types the API server takes: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic
/// merge patch, where the built-in kinds' lists merge by their keys (containers and volumes by name, ports by
/// containerPort or port, conditions by type, taints by key, ownerReferences by uid, finalizers as a set) and the
/// <c>$patch</c> and <c>$deleteFromPrimitiveList</c> directives are honoured.
/// </summary>
public static class Patches
{
    public const string Merge = "application/merge-patch+json";
    public const string Json = "application/json-patch+json";
    public const string Strategic = "application/strategic-merge-patch+json";
    public const string Apply = "application/apply-patch+yaml";

    private static readonly Dictionary<string, string> s_mergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["imagePullSecrets"] = "name",
        ["conditions"] = "type",
        ["taints"] = "key",
        ["ownerReferences"] = "uid",
        ["hostAliases"] = "ip",
        ["addresses"] = "type",
        ["containerStatuses"] = "name",
    };

    private static readonly HashSet<string> s_primitiveSets = new(StringComparer.Ordinal) { "finalizers" };

    /// <summary>Applies a patch of <paramref name="contentType"/> to a copy of <paramref name="target"/>; 400/415 in words when it cannot.</summary>
    public static JsonObject ApplyPatch(JsonObject target, string patch, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(target);
        var type = (contentType ?? "").Split(';')[0].Trim();
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(patch);
        }
        catch (System.Text.Json.JsonException)
        {
            throw ApiException.BadRequest("the patch body is not valid JSON");
        }

        var copy = (JsonObject)target.DeepClone();
        return type switch
        {
            Merge => MergePatch(copy, body) as JsonObject ?? throw ApiException.BadRequest("a merge patch must leave an object"),
            Strategic => body is JsonObject s ? StrategicMerge(copy, s) : throw ApiException.BadRequest("a strategic merge patch must be a JSON object"),
            Json => body is JsonArray operations ? JsonPatch(copy, operations) : throw ApiException.BadRequest("a JSON patch must be an array of operations"),
            _ => throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {Json}, {Merge}, {Strategic}"),
        };
    }

    /// <summary>RFC 7386: objects merge, null removes, anything else replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var existing = result[key];
                var merged = MergePatch(existing, value);
                if (!ReferenceEquals(merged, existing))
                {
                    result[key] = merged;
                }
            }
        }

        return result;
    }

    private static JsonObject StrategicMerge(JsonObject target, JsonObject patch)
    {
        if ((string?)patch["$patch"] == "replace")
        {
            var replaced = (JsonObject)patch.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }

        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var name = key["$deleteFromPrimitiveList/".Length..];
                if (target[name] is JsonArray list && value is JsonArray remove)
                {
                    var gone = remove.Select(v => v?.ToJsonString()).ToHashSet(StringComparer.Ordinal);
                    target[name] = new JsonArray([.. list.Where(v => !gone.Contains(v?.ToJsonString())).Select(v => v?.DeepClone())]);
                }

                continue;
            }

            if (key.StartsWith('$'))
            {
                // $setElementOrder and $retainKeys only order or prune; the result is the same set of fields.
                continue;
            }

            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                target[key] = StrategicMerge((JsonObject)targetObject.DeepClone(), patchObject);
            }
            else if (value is JsonArray patchList && target[key] is JsonArray targetList)
            {
                target[key] = MergeList(key, targetList, patchList);
            }
            else
            {
                var copy = value.DeepClone();
                if (copy is JsonObject o)
                {
                    o.Remove("$patch");
                }

                target[key] = copy;
            }
        }

        return target;
    }

    private static JsonArray MergeList(string field, JsonArray target, JsonArray patch)
    {
        if (s_primitiveSets.Contains(field))
        {
            var union = target.Select(v => v?.DeepClone()).ToList();
            foreach (var item in patch)
            {
                if (!union.Any(u => JsonNode.DeepEquals(u, item)))
                {
                    union.Add(item?.DeepClone());
                }
            }

            return new JsonArray([.. union]);
        }

        var mergeKey = s_mergeKeys.GetValueOrDefault(field);
        if (field == "ports")
        {
            mergeKey = patch.Concat(target).Any(p => p?["containerPort"] is not null) ? "containerPort" : "port";
        }

        if (mergeKey is null || patch.Any(p => p is not JsonObject))
        {
            return (JsonArray)patch.DeepClone();
        }

        var result = target.Select(v => v?.DeepClone()).ToList();
        foreach (var item in patch.OfType<JsonObject>())
        {
            var keyValue = item[mergeKey];
            var at = result.FindIndex(r => r is JsonObject o && JsonNode.DeepEquals(o[mergeKey], keyValue));
            if ((string?)item["$patch"] == "delete")
            {
                if (at >= 0)
                {
                    result.RemoveAt(at);
                }
            }
            else if (at >= 0)
            {
                result[at] = StrategicMerge((JsonObject)result[at]!, item);
            }
            else
            {
                var added = (JsonObject)item.DeepClone();
                added.Remove("$patch");
                result.Add(added);
            }
        }

        return new JsonArray([.. result]);
    }

    /// <summary>RFC 6902 operations with RFC 6901 pointers (<c>~0</c>, <c>~1</c> escapes, <c>-</c> to append).</summary>
    private static JsonObject JsonPatch(JsonObject target, JsonArray operations)
    {
        JsonNode root = target;
        foreach (var operation in operations)
        {
            var op = (string?)operation?["op"];
            var path = (string?)operation?["path"] ?? throw ApiException.BadRequest("a JSON patch operation needs a path");
            switch (op)
            {
                case "add":
                    root = Add(root, path, operation!["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    root = Add(root, path, operation!["value"]?.DeepClone());
                    break;
                case "move":
                {
                    var from = (string?)operation!["from"] ?? throw ApiException.BadRequest("a move operation needs from");
                    var moved = Remove(root, from);
                    root = Add(root, path, moved);
                    break;
                }

                case "copy":
                {
                    var from = (string?)operation!["from"] ?? throw ApiException.BadRequest("a copy operation needs from");
                    root = Add(root, path, Find(root, from)?.DeepClone());
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Find(root, path), operation!["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the test operation failed: the value at {path} is not the one given");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"unknown JSON patch operation \"{op}\"");
            }
        }

        return root as JsonObject ?? throw ApiException.BadRequest("a JSON patch must leave an object");
    }

    private static string[] Pointer(string path) =>
        path.Length == 0 ? [] : [.. path.TrimStart('/').Split('/').Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static JsonNode? Find(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var part in Pointer(path))
        {
            node = node switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
        }

        return node;
    }

    private static JsonNode Add(JsonNode root, string path, JsonNode? value)
    {
        var parts = Pointer(path);
        if (parts.Length == 0)
        {
            return value ?? throw ApiException.BadRequest("cannot replace the whole object with null");
        }

        var parent = Find(root, "/" + string.Join('/', parts[..^1].Select(Escape)));
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new ApiException(422, "Invalid", $"the JSON patch path {path} does not exist");
        }

        return root;
    }

    private static JsonNode? Remove(JsonNode root, string path)
    {
        var parts = Pointer(path);
        var parent = parts.Length == 0 ? null : Find(root, "/" + string.Join('/', parts[..^1].Select(Escape)));
        var last = parts.Length == 0 ? "" : parts[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                var removed = o[last];
                o.Remove(last);
                return removed;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default:
                throw new ApiException(422, "Invalid", $"the JSON patch path {path} does not exist");
        }
    }

    private static string Escape(string part) => part.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
