using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>Sets a condition in an object's <c>status.conditions</c> as controllers do: by type, with the transition time moving only on a change.</summary>
public static class PodConditions
{
    public static void Set(JsonObject obj, string type, string status, string? reason, string? message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var statusObject = obj["status"] as JsonObject ?? new JsonObject();
        obj["status"] = statusObject;
        var conditions = statusObject["conditions"] as JsonArray ?? new JsonArray();
        statusObject["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        if ((string?)existing["status"] != status)
        {
            existing["lastTransitionTime"] = ObjectStore.Timestamp(now);
        }

        existing["status"] = status;
        existing["lastProbeTime"] = null;
        if (reason is null)
        {
            existing.Remove("reason");
        }
        else
        {
            existing["reason"] = reason;
        }

        if (message is null)
        {
            existing.Remove("message");
        }
        else
        {
            existing["message"] = message;
        }
    }

    public static string? StatusOf(JsonObject obj, string type) =>
        (string?)(obj["status"]?["conditions"] as JsonArray ?? []).FirstOrDefault(c => (string?)c?["type"] == type)?["status"];
}
