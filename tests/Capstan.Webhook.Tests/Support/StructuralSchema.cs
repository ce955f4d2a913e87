using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Capstan.Webhook.Tests.Support;

/// <summary>
/// The parts of the API server's CRD handling the tests need: the structural-schema rules (apiextensions
/// <c>structural</c> validation) and validation of an object against an OpenAPI v3 schema, with unknown fields
/// reported (as <c>kubectl apply --validate=strict</c> does) instead of pruned.
/// </summary>
public static class StructuralSchema
{
    /// <summary>Violations of the structural rules, with their paths; empty when the schema is structural.</summary>
    public static List<string> Violations(JsonObject schema, string path = "")
    {
        var errors = new List<string>();
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        var type = schema["type"]?.GetValue<string>();
        if (type is null && !intOrString && !(preserve && path.Length > 0))
        {
            errors.Add($"{path}: type is required (or x-kubernetes-int-or-string / x-kubernetes-preserve-unknown-fields)");
        }

        if (schema["properties"] is not null && schema["additionalProperties"] is not null)
        {
            errors.Add($"{path}: properties and additionalProperties are mutually exclusive");
        }

        if (type == "array" && schema["items"] is not JsonObject)
        {
            errors.Add($"{path}: an array needs items");
        }

        foreach (var key in new[] { "anyOf", "allOf", "oneOf" })
        {
            if (schema[key] is JsonArray branches && !intOrString)
            {
                foreach (var branch in branches)
                {
                    if (branch!["type"] is not null || branch["properties"] is not null)
                    {
                        errors.Add($"{path}.{key}: may only hold value validations (no type or properties) outside int-or-string");
                    }
                }
            }
        }

        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                errors.AddRange(Violations(child!.AsObject(), $"{path}.{name}"));
            }
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            errors.AddRange(Violations(additional, $"{path}[*]"));
        }

        if (schema["items"] is JsonObject items)
        {
            errors.AddRange(Violations(items, $"{path}[]"));
        }

        return errors;
    }

    /// <summary>Checks an object (its spec and status) against the schema; returns every problem with its path.</summary>
    public static List<string> Validate(JsonObject schema, JsonNode? value, string path = "")
    {
        var errors = new List<string>();
        Check(schema, value, path, errors);
        return errors;
    }

    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    private static void Check(JsonObject schema, JsonNode? value, string path, List<string> errors)
    {
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true)
            {
                errors.Add($"{path}: null is not allowed");
            }

            return;
        }

        var kind = value.GetValueKind();
        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            if (kind is not (JsonValueKind.String or JsonValueKind.Number) || (kind == JsonValueKind.Number && value.ToJsonString().Contains('.', StringComparison.Ordinal)))
            {
                errors.Add($"{path}: must be an integer or a string");
            }
        }
        else
        {
            var type = schema["type"]?.GetValue<string>();
            var ok = type switch
            {
                "object" => kind == JsonValueKind.Object,
                "array" => kind == JsonValueKind.Array,
                "string" => kind == JsonValueKind.String,
                "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
                "integer" => kind == JsonValueKind.Number && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                "number" => kind == JsonValueKind.Number,
                null => true,
                _ => false,
            };
            if (!ok)
            {
                errors.Add($"{path}: must be of type {type}, got {kind}");
                return;
            }
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }

        if (kind == JsonValueKind.Number)
        {
            var number = Number(value);
            if (schema["minimum"] is { } min && number < Number(min))
            {
                errors.Add($"{path}: {number} is below the minimum {min}");
            }

            if (schema["maximum"] is { } max && number > Number(max))
            {
                errors.Add($"{path}: {number} is above the maximum {max}");
            }
        }

        if (kind == JsonValueKind.String && schema["pattern"] is { } pattern
            && !Regex.IsMatch(value.GetValue<string>(), pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{path}: \"{value.GetValue<string>()}\" does not match {pattern}");
        }

        if (kind == JsonValueKind.Object)
        {
            var obj = value.AsObject();
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!obj.ContainsKey(required!.GetValue<string>()))
                {
                    errors.Add($"{path}.{required}: is required");
                }
            }

            var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
            var properties = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"] as JsonObject;
            if (properties is null && additional is null && (preserve || path.EndsWith(".metadata", StringComparison.Ordinal) || path == ".metadata"))
            {
                return;
            }

            foreach (var (name, child) in obj)
            {
                if (properties?[name] is JsonObject propertySchema)
                {
                    Check(propertySchema, child, $"{path}.{name}", errors);
                }
                else if (additional is not null)
                {
                    Check(additional, child, $"{path}[\"{name}\"]", errors);
                }
                else if (!preserve)
                {
                    errors.Add($"{path}.{name}: unknown field");
                }
            }
        }

        if (kind == JsonValueKind.Array && schema["items"] is JsonObject items)
        {
            var i = 0;
            foreach (var item in value.AsArray())
            {
                Check(items, item, $"{path}[{i++}]", errors);
            }
        }
    }
}
