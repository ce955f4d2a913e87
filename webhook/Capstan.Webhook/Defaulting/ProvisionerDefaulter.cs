using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Webhook.Admission;

namespace Capstan.Webhook.Defaulting;

/// <summary>
/// The v0.26.1 Provisioner defaults as JSON Patch operations against the object
/// exactly as the API server sent it. Only <c>spec.requirements</c> is looked at; labels do not count.
/// Applying the patch and defaulting again yields no operations (idempotent, safe with reinvocation).
/// </summary>
public static class ProvisionerDefaulter
{
    /// <summary>The operations that add the missing requirements; empty when nothing is missing.</summary>
    public static IReadOnlyList<JsonPatchOperation> Patch(JsonElement provisioner)
    {
        var spec = provisioner.ValueKind == JsonValueKind.Object && provisioner.TryGetProperty("spec", out var s) ? s : default;
        var requirements = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("requirements", out var r) ? r : default;
        var keys = new List<string>();
        if (requirements.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in requirements.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String)
                {
                    keys.Add(key.GetString()!);
                }
            }
        }

        var missing = ProvisionerDefaults.Missing(keys);
        if (missing.Count == 0)
        {
            return [];
        }

        if (spec.ValueKind != JsonValueKind.Object)
        {
            return [JsonPatchOperation.Add("/spec", new JsonObject { ["requirements"] = ToArray(missing) })];
        }

        if (requirements.ValueKind != JsonValueKind.Array)
        {
            return [JsonPatchOperation.Add("/spec/requirements", ToArray(missing))];
        }

        return [.. missing.Select(m => JsonPatchOperation.Add("/spec/requirements/-", ToNode(m)))];
    }

    /// <summary>
    /// The provisioner as the mutating webhook leaves it: the operations of <see cref="Patch"/> applied to a copy
    /// (what <c>capstan plan</c> uses, so that it defaults exactly as the webhook does).
    /// </summary>
    public static JsonObject Apply(JsonElement provisioner)
    {
        if (JsonNode.Parse(provisioner.GetRawText()) is not JsonObject result)
        {
            throw new ArgumentException("a Provisioner must be a JSON object", nameof(provisioner));
        }

        foreach (var operation in Patch(provisioner))
        {
            var tokens = operation.Path.Split('/')[1..];
            JsonNode parent = result;
            foreach (var token in tokens[..^1])
            {
                parent = parent[token] ?? throw new InvalidOperationException($"{operation.Path}: no parent to add to");
            }

            switch (parent)
            {
                case JsonArray array when tokens[^1] == "-":
                    array.Add(operation.Value?.DeepClone());
                    break;
                case JsonObject obj:
                    obj[tokens[^1]] = operation.Value?.DeepClone();
                    break;
                default:
                    throw new InvalidOperationException($"{operation.Path}: cannot add there");
            }
        }

        return result;
    }

    /// <summary>The requirement in <c>NodeSelectorRequirement</c> form: <c>{key, operator, values}</c>.</summary>
    public static JsonObject ToNode(Requirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        var op = requirement.Operator;
        var values = op switch
        {
            RequirementOperator.Gt => [requirement.GreaterThan!.Value.ToString(CultureInfo.InvariantCulture)],
            RequirementOperator.Lt => [requirement.LessThan!.Value.ToString(CultureInfo.InvariantCulture)],
            _ => requirement.Values,
        };
        var node = new JsonObject
        {
            ["key"] = requirement.Key,
            ["operator"] = op.ToString(),
        };
        if (values.Count > 0)
        {
            node["values"] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
        }

        return node;
    }

    private static JsonArray ToArray(IEnumerable<Requirement> requirements) => new([.. requirements.Select(r => (JsonNode)ToNode(r))]);
}
