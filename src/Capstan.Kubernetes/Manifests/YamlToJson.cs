using System.Globalization;
using System.Text.Json;
using Capstan.Core.Resources;

namespace Capstan.Kubernetes.Manifests;

/// <summary>Something found while reading one object: an error stops it, a warning does not.</summary>
internal readonly record struct ManifestDiagnostic(bool IsError, int Line, int Column, string Path, string Message);

/// <summary>
/// The YAML front end of the schema walk: writes a YAML node as JSON shaped for the typed model (text where the
/// model wants text, numbers where it wants numbers), and on the way reports unknown fields (warnings), keys
/// given twice and values of the wrong kind (errors, with line and column).
/// </summary>
internal sealed class YamlToJson(Utf8JsonWriter writer, List<ManifestDiagnostic> diagnostics)
{
    public void Write(YamlNode node, FieldSchema schema, string path)
    {
        if (node is YamlScalar { IsNull: true })
        {
            writer.WriteNullValue();
            return;
        }

        switch (schema.Shape)
        {
            case FieldShape.Structure:
                WriteObject(node, schema, path);
                break;
            case FieldShape.Map:
                WriteMap(node, schema.Element, path);
                break;
            case FieldShape.List when node is YamlSequence sequence:
                writer.WriteStartArray();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    Write(sequence.Items[i], schema.Element, UnknownFields.Item(path, i));
                }

                writer.WriteEndArray();
                break;
            case FieldShape.List:
                Mismatch(node, path, "a list");
                break;
            case FieldShape.Any:
                WriteAny(node, path);
                break;
            default:
                WriteLeaf(node, schema.Shape, path);
                break;
        }
    }

    private void WriteObject(YamlNode node, FieldSchema schema, string path)
    {
        if (node is not YamlMapping mapping)
        {
            Mismatch(node, path, "a mapping of fields");
            return;
        }

        writer.WriteStartObject();
        Dictionary<string, YamlNode>? seen = mapping.Entries.Count > 8 ? new(StringComparer.Ordinal) : null;
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            var (keyNode, value) = mapping.Entries[i];
            if (Key(mapping, i, keyNode, path, ref seen) is not { } key)
            {
                continue;
            }

            var child = UnknownFields.Child(path, key);
            if (schema.Fields.TryGetValue(key, out var field))
            {
                writer.WritePropertyName(key);
                Write(value, field, child);
            }
            else
            {
                diagnostics.Add(new(false, keyNode.Line, keyNode.Column, child, schema.UnknownFieldWarning(child, key)));
            }
        }

        writer.WriteEndObject();
    }

    private void WriteMap(YamlNode node, FieldSchema element, string path)
    {
        if (node is not YamlMapping mapping)
        {
            Mismatch(node, path, "a mapping");
            return;
        }

        writer.WriteStartObject();
        Dictionary<string, YamlNode>? seen = mapping.Entries.Count > 8 ? new(StringComparer.Ordinal) : null;
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            var (keyNode, value) = mapping.Entries[i];
            if (Key(mapping, i, keyNode, path, ref seen) is { } key)
            {
                writer.WritePropertyName(key);
                Write(value, element, UnknownFields.Child(path, key));
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The key's text; null (and an error) when it is not text or was given before in the same mapping.</summary>
    private string? Key(YamlMapping mapping, int index, YamlNode keyNode, string path, ref Dictionary<string, YamlNode>? seen)
    {
        if (keyNode is not YamlScalar { Value: var key })
        {
            diagnostics.Add(new(true, keyNode.Line, keyNode.Column, path, "a key must be plain text, not a list or a mapping"));
            return null;
        }

        YamlNode? first = null;
        if (seen is not null)
        {
            if (!seen.TryAdd(key, keyNode))
            {
                first = seen[key];
            }
        }
        else
        {
            for (var j = 0; j < index; j++)
            {
                if (mapping.Entries[j].Key is YamlScalar earlier && earlier.Value == key)
                {
                    first = earlier;
                    break;
                }
            }
        }

        if (first is null)
        {
            return key;
        }

        diagnostics.Add(new(true, keyNode.Line, keyNode.Column, UnknownFields.Child(path, key),
            $"the key \"{key}\" appears twice in one mapping (first on line {first.Line.ToString(CultureInfo.InvariantCulture)}, column {first.Column.ToString(CultureInfo.InvariantCulture)})"));
        return null;
    }

    private void WriteLeaf(YamlNode node, FieldShape shape, string path)
    {
        if (node is not YamlScalar scalar)
        {
            Mismatch(node, path, shape switch
            {
                FieldShape.WholeNumber => "a whole number",
                FieldShape.Number => "a number",
                FieldShape.Boolean => "true or false",
                FieldShape.Quantity => "a quantity",
                _ => "a single value",
            });
            return;
        }

        var text = scalar.Value;
        switch (shape)
        {
            case FieldShape.WholeNumber when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                writer.WriteNumberValue(whole);
                break;
            case FieldShape.WholeNumber:
                Error(scalar, path, $"\"{text}\" is not a whole number");
                break;
            case FieldShape.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case FieldShape.Number:
                Error(scalar, path, $"\"{text}\" is not a number");
                break;
            case FieldShape.Boolean when Boolean(text) is { } flag:
                writer.WriteBooleanValue(flag);
                break;
            case FieldShape.Boolean:
                Error(scalar, path, $"\"{text}\" is not true or false");
                break;
            case FieldShape.IntOrString when scalar.Plain && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port):
                writer.WriteNumberValue(port);
                break;
            case FieldShape.Quantity when !Quantity.TryParse(text, out _):
                Error(scalar, path, $"\"{text}\" is not a quantity");
                break;
            default:
                writer.WriteStringValue(text);
                break;
        }
    }

    /// <summary>A free-form value, typed by YAML's core schema: unquoted numbers, true/false and null keep their type.</summary>
    private void WriteAny(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMapping mapping:
                WriteMap(mapping, AnySchema, path);
                break;
            case YamlSequence sequence:
                writer.WriteStartArray();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    WriteAny(sequence.Items[i], UnknownFields.Item(path, i));
                }

                writer.WriteEndArray();
                break;
            case YamlScalar { IsNull: true }:
                writer.WriteNullValue();
                break;
            case YamlScalar { Plain: true, Value: var text } when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                writer.WriteNumberValue(whole);
                break;
            case YamlScalar { Plain: true, Value: var text } when IsDecimal(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                writer.WriteNumberValue(number);
                break;
            case YamlScalar { Plain: true, Value: var text } when Boolean(text) is { } flag:
                writer.WriteBooleanValue(flag);
                break;
            case YamlScalar scalar:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }

    private static FieldSchema AnySchema { get; } = FieldSchema.For<object>();

    private static bool? Boolean(string text) => text switch
    {
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        _ => null,
    };

    private static bool IsDecimal(string text) =>
        text.Length > 0 && (char.IsAsciiDigit(text[0]) || (text.Length > 1 && text[0] is '-' or '+' or '.' && char.IsAsciiDigit(text[^1])));

    private void Mismatch(YamlNode node, string path, string expected)
    {
        var found = node switch
        {
            YamlMapping => "a mapping",
            YamlSequence => "a list",
            YamlScalar s => $"\"{s.Value}\"",
            _ => "something else",
        };
        Error(node, path, $"expected {expected} here, found {found}");
    }

    private void Error(YamlNode node, string path, string message)
    {
        diagnostics.Add(new(true, node.Line, node.Column, path, message));
        writer.WriteNullValue();
    }
}
