using System.Text.Json;
using Capstan.Kubernetes.Crds;
using k8s;

namespace Capstan.Webhook.Validation;

/// <summary>
/// Strict decoding of the v0.5-era inline <c>spec.provider</c> (Karpenter v0.26.1's Provisioner validation, AWS add-on): every unknown
/// field and every value of the wrong JSON type is reported, as Karpenter's strict codec rejects them, instead of
/// being silently dropped.
/// </summary>
public static class InlineProviderDecoder
{
    private enum Shape
    {
        String,
        Integer,
        Boolean,
        StringMap,
        Quantity,
    }

    private static readonly Dictionary<string, object> s_ebs = new(StringComparer.Ordinal)
    {
        ["deleteOnTermination"] = Shape.Boolean,
        ["encrypted"] = Shape.Boolean,
        ["iops"] = Shape.Integer,
        ["kmsKeyID"] = Shape.String,
        ["snapshotID"] = Shape.String,
        ["throughput"] = Shape.Integer,
        ["volumeSize"] = Shape.Quantity,
        ["volumeType"] = Shape.String,
    };

    private static readonly Dictionary<string, object> s_blockDevice = new(StringComparer.Ordinal)
    {
        ["deviceName"] = Shape.String,
        ["ebs"] = s_ebs,
    };

    private static readonly Dictionary<string, object> s_metadataOptions = new(StringComparer.Ordinal)
    {
        ["httpEndpoint"] = Shape.String,
        ["httpProtocolIPv6"] = Shape.String,
        ["httpPutResponseHopLimit"] = Shape.Integer,
        ["httpTokens"] = Shape.String,
    };

    private static readonly Dictionary<string, object> s_provider = new(StringComparer.Ordinal)
    {
        ["amiFamily"] = Shape.String,
        ["context"] = Shape.String,
        ["instanceProfile"] = Shape.String,
        ["subnetSelector"] = Shape.StringMap,
        ["securityGroupSelector"] = Shape.StringMap,
        ["tags"] = Shape.StringMap,
        ["launchTemplate"] = Shape.String,
        ["metadataOptions"] = s_metadataOptions,
        ["blockDeviceMappings"] = new[] { s_blockDevice },
    };

    /// <summary>Decodes the provider block; null (with <paramref name="errors"/> filled) when it does not decode strictly.</summary>
    public static AwsProviderSpec? Decode(object provider, out IReadOnlyList<(string Path, string Message)> errors)
    {
        var element = provider is JsonElement json ? json : JsonSerializer.SerializeToElement(provider);
        var found = new List<(string, string)>();
        errors = found;
        Check(element, s_provider, "", found);
        if (found.Count > 0)
        {
            return null;
        }

        try
        {
            return KubernetesJson.Deserialize<AwsProviderSpec>(element.GetRawText());
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            found.Add(("", $"does not decode: {e.Message}"));
            return null;
        }
    }

    private static void Check(JsonElement value, object shape, string path, List<(string, string)> errors)
    {
        switch (shape)
        {
            case Dictionary<string, object> fields:
                if (value.ValueKind != JsonValueKind.Object)
                {
                    errors.Add((path, $"must be an object, not {Describe(value)}"));
                    return;
                }

                foreach (var property in value.EnumerateObject())
                {
                    if (fields.TryGetValue(property.Name, out var inner))
                    {
                        Check(property.Value, inner, $"{path}.{property.Name}", errors);
                    }
                    else
                    {
                        errors.Add(($"{path}.{property.Name}", $"unknown field \"{property.Name}\"; known fields are {string.Join(", ", fields.Keys)}"));
                    }
                }

                break;
            case Dictionary<string, object>[] items:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    errors.Add((path, $"must be a list, not {Describe(value)}"));
                    return;
                }

                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Check(item, items[0], $"{path}[{i++}]", errors);
                }

                break;
            case Shape.String when value.ValueKind != JsonValueKind.String:
                errors.Add((path, $"must be a string, not {Describe(value)}"));
                break;
            case Shape.Integer when value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _):
                errors.Add((path, $"must be an integer, not {Describe(value)}"));
                break;
            case Shape.Boolean when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                errors.Add((path, $"must be true or false, not {Describe(value)}"));
                break;
            case Shape.Quantity when value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number):
                errors.Add((path, $"must be a quantity such as 20Gi, not {Describe(value)}"));
                break;
            case Shape.Quantity when value.ValueKind == JsonValueKind.String && !Core.Resources.Quantity.TryParse(value.GetString(), out _, out var error):
                errors.Add((path, error));
                break;
            case Shape.StringMap:
                if (value.ValueKind != JsonValueKind.Object)
                {
                    errors.Add((path, $"must be a map of strings, not {Describe(value)}"));
                    return;
                }

                foreach (var entry in value.EnumerateObject())
                {
                    if (entry.Value.ValueKind != JsonValueKind.String)
                    {
                        errors.Add(($"{path}[\"{entry.Name}\"]", $"must be a string, not {Describe(entry.Value)}"));
                    }
                }

                break;
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };
}
