using System.Globalization;
using System.Text.Json;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// The JSON front end of the unknown-field check (the webhook's): every field of an object that the typed model
/// does not declare, with its full path, as kubectl reports them.
/// </summary>
public static class UnknownFields
{
    /// <summary>One warning per unknown field, in document order: <c>unknown field "spec.limit" (did you mean "limits"?)</c>.</summary>
    public static IReadOnlyList<string> Find(JsonElement element, FieldSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var warnings = new List<string>();
        Walk(element, schema, "", warnings);
        return warnings;
    }

    /// <summary>The path of a field under <paramref name="parent"/>.</summary>
    public static string Child(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    /// <summary>The path of an item of the list at <paramref name="parent"/>.</summary>
    public static string Item(string parent, int index) => $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";

    private static void Walk(JsonElement element, FieldSchema schema, string path, List<string> warnings)
    {
        switch (schema.Shape)
        {
            case FieldShape.Structure when element.ValueKind == JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var child = Child(path, property.Name);
                    if (schema.Fields.TryGetValue(property.Name, out var field))
                    {
                        Walk(property.Value, field, child, warnings);
                    }
                    else
                    {
                        warnings.Add(schema.UnknownFieldWarning(child, property.Name));
                    }
                }

                break;
            case FieldShape.Map when element.ValueKind == JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, schema.Element, Child(path, property.Name), warnings);
                }

                break;
            case FieldShape.List when element.ValueKind == JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, schema.Element, Item(path, index++), warnings);
                }

                break;
            default:
                break;
        }
    }
}
