using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;

namespace Capstan.Sandbox.World;

/// <summary>
/// What the simulated workload controllers read alike off any object: owner references, a pod's phase and readiness,
/// int-or-percent amounts, the pod-template hash. Kept in one place so each controller reads the objects the way
/// kube-controller-manager's shared helpers do, and none of them differs from another on what "ready" means.
/// </summary>
internal static class Workload
{
    /// <summary>The alphabet Kubernetes encodes generated names and hashes in (no vowels, no look-alike digits).</summary>
    public const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public const string TemplateHashLabel = "pod-template-hash";

    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    public static string Uid(JsonObject obj) => (string?)obj["metadata"]?["uid"] ?? "";

    public static string Name(JsonObject obj) => ObjectStore.NameOf(obj);

    public static string Namespace(JsonObject obj) => ObjectStore.NamespaceOf(obj) ?? "default";

    public static JsonObject? Labels(JsonObject obj) => obj["metadata"]?["labels"] as JsonObject;

    public static long Generation(JsonObject obj) => JsonNumbers.Whole(obj["metadata"]?["generation"]) ?? 1;

    public static bool IsTerminating(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static string? Phase(JsonObject pod) => (string?)pod["status"]?["phase"];

    public static bool IsFinished(JsonObject pod) => Phase(pod) is "Succeeded" or "Failed";

    /// <summary>A pod a controller counts towards its replicas: neither going nor done.</summary>
    public static bool IsActive(JsonObject pod) => !IsTerminating(pod) && !IsFinished(pod);

    public static bool IsBound(JsonObject pod) => !string.IsNullOrEmpty((string?)pod["spec"]?["nodeName"]);

    public static bool IsReady(JsonObject pod) => PodConditions.StatusOf(pod, "Ready") == "True";

    public static bool IsRunningAndReady(JsonObject pod) => Phase(pod) == "Running" && IsReady(pod);

    /// <summary>Ready for at least <paramref name="minReadySeconds"/>, counted from the Ready condition's last transition.</summary>
    public static bool IsAvailable(JsonObject pod, int minReadySeconds, DateTimeOffset now)
    {
        if (!IsReady(pod))
        {
            return false;
        }

        if (minReadySeconds <= 0)
        {
            return true;
        }

        var since = ReadySince(pod);
        return since is null || since.Value.AddSeconds(minReadySeconds) <= now;
    }

    public static DateTimeOffset? ReadySince(JsonObject pod) =>
        ObjectStore.ParseTimestamp((pod["status"]?["conditions"] as JsonArray ?? [])
            .FirstOrDefault(c => (string?)c?["type"] == "Ready")?["lastTransitionTime"]);

    public static int Replicas(JsonObject obj) => Math.Max(0, JsonNumbers.Count(obj["spec"]?["replicas"]) ?? 1);

    public static int MinReadySeconds(JsonObject obj) => JsonNumbers.Count(obj["spec"]?["minReadySeconds"]) ?? 0;

    public static bool Flag(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    /// <summary>The owner reference marked <c>controller: true</c>, if any.</summary>
    public static JsonObject? ControllerOf(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(r => Flag(r["controller"]));

    public static string? ControllerUid(JsonObject obj) => (string?)ControllerOf(obj)?["uid"];

    /// <summary>The reference a controller puts on what it makes: it controls it, and a foreground deletion waits for it.</summary>
    public static JsonObject OwnerReference(ApiResource resource, JsonObject owner) => new()
    {
        ["apiVersion"] = resource.ApiVersion,
        ["kind"] = resource.Kind,
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>Objects grouped by the uid of their controller (objects without one are left out).</summary>
    public static Dictionary<string, List<JsonObject>> ByController(IEnumerable<JsonObject> objects)
    {
        var groups = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var obj in objects)
        {
            if (ControllerUid(obj) is { Length: > 0 } uid)
            {
                if (!groups.TryGetValue(uid, out var list))
                {
                    list = [];
                    groups[uid] = list;
                }

                list.Add(obj);
            }
        }

        return groups;
    }

    /// <summary>An int-or-percent of <paramref name="total"/>, percentages rounded up or down as the caller's controller does.</summary>
    public static int Amount(JsonNode? value, int total, bool roundUp)
    {
        if (value is null)
        {
            return 0;
        }

        if (JsonNumbers.Count(value) is { } count && !IsText(value))
        {
            return count;
        }

        var text = ((string?)value ?? "0").Trim();
        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            var exact = total * percent / 100;
            return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
    }

    public static bool IsPercent(JsonNode? value) => IsText(value) && ((string?)value ?? "").TrimEnd().EndsWith('%');

    private static bool IsText(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out _);

    /// <summary>
    /// The <c>pod-template-hash</c> of a template: FNV-1a (32 bits) over the template's canonical JSON (keys sorted,
    /// the hash label itself left out) and the collision count, written as ten decimal digits and each digit mapped
    /// into <see cref="SafeAlphabet"/> as Kubernetes' safe encoding does. The same template always gives the same name.
    /// </summary>
    public static string TemplateHash(JsonNode? template, int collisionCount)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(Canonical(WithoutHashLabel(template))))
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (collisionCount > 0)
        {
            foreach (var b in Encoding.UTF8.GetBytes(collisionCount.ToString(CultureInfo.InvariantCulture)))
            {
                hash = (hash ^ b) * 16777619u;
            }
        }

        var digits = hash.ToString("D10", CultureInfo.InvariantCulture);
        return string.Create(digits.Length, digits, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = SafeAlphabet[text[i] % SafeAlphabet.Length];
            }
        });
    }

    /// <summary>Whether two pod templates are the same once the hash label is set aside (how a Deployment finds its current ReplicaSet).</summary>
    public static bool SameTemplate(JsonNode? a, JsonNode? b) =>
        string.Equals(Canonical(WithoutHashLabel(a)), Canonical(WithoutHashLabel(b)), StringComparison.Ordinal);

    /// <summary>JSON with every object's keys in ordinal order, so equal content gives equal text whoever wrote it.</summary>
    public static string Canonical(JsonNode? node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);

        static void Write(Utf8JsonWriter writer, JsonNode? node)
        {
            switch (node)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case JsonObject obj:
                    writer.WriteStartObject();
                    foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        writer.WritePropertyName(key);
                        Write(writer, value);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonArray array:
                    writer.WriteStartArray();
                    foreach (var item in array)
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    node.WriteTo(writer);
                    break;
            }
        }
    }

    private static JsonNode? WithoutHashLabel(JsonNode? template)
    {
        if (template?["metadata"]?["labels"] is not JsonObject labels || !labels.ContainsKey(TemplateHashLabel))
        {
            return template;
        }

        var copy = template.DeepClone();
        var copied = (JsonObject)copy["metadata"]!["labels"]!;
        copied.Remove(TemplateHashLabel);
        if (copied.Count == 0)
        {
            ((JsonObject)copy["metadata"]!).Remove("labels");
        }

        return copy;
    }

    /// <summary>
    /// A new pod from a controller's template: the template's labels (plus <paramref name="extraLabels"/>),
    /// annotations and spec, in the owner's namespace, controlled by it; named <paramref name="name"/> or, when
    /// null, left to the store through <c>generateName</c>.
    /// </summary>
    public static JsonObject PodFromTemplate(JsonNode? template, JsonObject owner, ApiResource ownerResource, string? name, IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var labels = template?["metadata"]?["labels"]?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        var metadata = new JsonObject
        {
            ["namespace"] = Namespace(owner),
            ["labels"] = labels,
            ["ownerReferences"] = new JsonArray(OwnerReference(ownerResource, owner)),
        };
        if (name is null)
        {
            metadata["generateName"] = Name(owner) + "-";
        }
        else
        {
            metadata["name"] = name;
        }

        if (template?["metadata"]?["annotations"] is JsonObject annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }

        if (template?["metadata"]?["finalizers"] is JsonArray finalizers)
        {
            metadata["finalizers"] = finalizers.DeepClone();
        }

        return new JsonObject
        {
            ["metadata"] = metadata,
            ["spec"] = template?["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    /// <summary>
    /// The order a ReplicaSet or Job gives up pods in (first = deleted first), as kube-controller-manager ranks them:
    /// unscheduled before scheduled, pending before unknown before running, not ready before ready, lower
    /// <c>controller.kubernetes.io/pod-deletion-cost</c> first, ready for less time first, more restarts first, newer first.
    /// </summary>
    public static int DeletionOrder(JsonObject a, JsonObject b)
    {
        var c = IsBound(a).CompareTo(IsBound(b));
        if (c != 0)
        {
            return c;
        }

        c = PhaseRank(a).CompareTo(PhaseRank(b));
        if (c != 0)
        {
            return c;
        }

        c = IsReady(a).CompareTo(IsReady(b));
        if (c != 0)
        {
            return c;
        }

        c = DeletionCost(a).CompareTo(DeletionCost(b));
        if (c != 0)
        {
            return c;
        }

        if (IsReady(a) && IsReady(b) && ReadySince(a) is { } ra && ReadySince(b) is { } rb && ra != rb)
        {
            return rb.CompareTo(ra);
        }

        c = Restarts(b).CompareTo(Restarts(a));
        if (c != 0)
        {
            return c;
        }

        var ca = ObjectStore.ParseTimestamp(a["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MinValue;
        var cb = ObjectStore.ParseTimestamp(b["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MinValue;
        c = cb.CompareTo(ca);
        return c != 0 ? c : string.CompareOrdinal(Name(b), Name(a));

        static int PhaseRank(JsonObject pod) => Phase(pod) switch
        {
            "Unknown" => 1,
            "Running" => 2,
            _ => 0,
        };

        static long DeletionCost(JsonObject pod) =>
            long.TryParse((string?)pod["metadata"]?["annotations"]?["controller.kubernetes.io/pod-deletion-cost"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var cost) ? cost : 0;

        static long Restarts(JsonObject pod) =>
            (pod["status"]?["containerStatuses"] as JsonArray ?? []).Select(s => JsonNumbers.Whole(s?["restartCount"]) ?? 0).DefaultIfEmpty(0).Max();
    }

    /// <summary>
    /// Sets a workload condition by type in <paramref name="status"/>: the transition time moves only when the status
    /// does, the update time (Deployments) whenever anything about it changes.
    /// </summary>
    public static void SetCondition(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now, bool withUpdateTime = false)
    {
        var conditions = status["conditions"] as JsonArray ?? new JsonArray();
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        var stamp = ObjectStore.Timestamp(now);
        var changed = (string?)existing["status"] != value || (string?)existing["reason"] != reason || (string?)existing["message"] != message;
        if ((string?)existing["status"] != value || existing["lastTransitionTime"] is null)
        {
            existing["lastTransitionTime"] = stamp;
        }

        if (withUpdateTime && (changed || existing["lastUpdateTime"] is null))
        {
            existing["lastUpdateTime"] = stamp;
        }

        existing["status"] = value;
        existing["reason"] = reason;
        existing["message"] = message;
    }

    public static string? ConditionStatus(JsonObject obj, string type) => PodConditions.StatusOf(obj, type);
}
