using System.Globalization;
using Capstan.Core.Resources;

namespace Capstan.Kubernetes.Manifests;

/// <summary>Something found while reading one object: an error stops it, a warning does not.</summary>
internal readonly record struct ManifestDiagnostic(bool IsError, int Line, int Column, string Path, string Message);

/// <summary>
/// The YAML front end of the schema walk: hands a YAML node to a sink shaped for the typed model (text where the
/// model wants text, numbers where it wants numbers), and on the way reports unknown fields (warnings), keys
/// given twice and values of the wrong kind (errors, with line and column). The sink writes JSON
/// (<see cref="JsonSink"/>) or builds the model's objects (<see cref="ModelBuilder"/>).
/// </summary>
internal sealed class YamlWalk(IModelSink sink, List<ManifestDiagnostic> diagnostics)
{
    /// <summary>How many distinct quantity texts a walk keeps as known to be quantities.</summary>
    private const int QuantityCapacity = 4096;

    /// <summary>The path of the value being written, kept as a stack and put into words only for a diagnostic.</summary>
    private readonly List<(string? Name, int Index)> _path = [];
    private readonly HashSet<string> _quantities = new(StringComparer.Ordinal);
    private string _prefix = "";

    public void Write(YamlNode node, FieldSchema schema, string path)
    {
        _prefix = path;
        _path.Clear();
        WriteValue(node, schema);
    }

    private string Path
    {
        get
        {
            var path = _prefix;
            foreach (var (name, index) in _path)
            {
                path = name is null ? UnknownFields.Item(path, index) : UnknownFields.Child(path, name);
            }

            return path;
        }
    }

    private void WriteValue(YamlNode node, FieldSchema schema)
    {
        if (node is YamlScalar { IsNull: true })
        {
            sink.Null();
            return;
        }

        switch (schema.Shape)
        {
            case FieldShape.Structure:
                WriteObject(node, schema);
                break;
            case FieldShape.Map:
                WriteMap(node, schema.Element);
                break;
            case FieldShape.List when node is YamlSequence sequence:
                sink.StartList();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    _path.Add((null, i));
                    WriteValue(sequence.Items[i], schema.Element);
                    _path.RemoveAt(_path.Count - 1);
                }

                sink.EndList();
                break;
            case FieldShape.List:
                Mismatch(node, "a list");
                break;
            case FieldShape.Any:
                WriteAny(node);
                break;
            default:
                WriteLeaf(node, schema.Shape);
                break;
        }
    }

    private void WriteObject(YamlNode node, FieldSchema schema)
    {
        if (node is not YamlMapping mapping)
        {
            Mismatch(node, "a mapping of fields");
            return;
        }

        sink.StartObject();
        Dictionary<string, YamlNode>? seen = mapping.Entries.Count > 8 ? new(StringComparer.Ordinal) : null;
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            var (keyNode, value) = mapping.Entries[i];
            if (Key(mapping, i, keyNode, ref seen) is not { } key)
            {
                continue;
            }

            if (schema.Fields.TryGetValue(key, out var field))
            {
                sink.Property(key);
                _path.Add((key, 0));
                WriteValue(value, field);
                _path.RemoveAt(_path.Count - 1);
            }
            else
            {
                var child = UnknownFields.Child(Path, key);
                diagnostics.Add(new(false, keyNode.Line, keyNode.Column, child, schema.UnknownFieldWarning(child, key)));
            }
        }

        sink.EndObject();
    }

    private void WriteMap(YamlNode node, FieldSchema element)
    {
        if (node is not YamlMapping mapping)
        {
            Mismatch(node, "a mapping");
            return;
        }

        sink.StartObject();
        Dictionary<string, YamlNode>? seen = mapping.Entries.Count > 8 ? new(StringComparer.Ordinal) : null;
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            var (keyNode, value) = mapping.Entries[i];
            if (Key(mapping, i, keyNode, ref seen) is { } key)
            {
                sink.Property(key);
                _path.Add((key, 0));
                WriteValue(value, element);
                _path.RemoveAt(_path.Count - 1);
            }
        }

        sink.EndObject();
    }

    /// <summary>The key's text; null (and an error) when it is not text or was given before in the same mapping.</summary>
    private string? Key(YamlMapping mapping, int index, YamlNode keyNode, ref Dictionary<string, YamlNode>? seen)
    {
        if (keyNode is not YamlScalar { Value: var key })
        {
            diagnostics.Add(new(true, keyNode.Line, keyNode.Column, Path, "a key must be plain text, not a list or a mapping"));
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

        diagnostics.Add(new(true, keyNode.Line, keyNode.Column, UnknownFields.Child(Path, key),
            $"the key \"{key}\" appears twice in one mapping (first on line {first.Line.ToString(CultureInfo.InvariantCulture)}, column {first.Column.ToString(CultureInfo.InvariantCulture)})"));
        return null;
    }

    private void WriteLeaf(YamlNode node, FieldShape shape)
    {
        if (node is not YamlScalar scalar)
        {
            Mismatch(node, shape switch
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
                sink.Whole(whole);
                break;
            case FieldShape.WholeNumber:
                Error(scalar, $"\"{text}\" is not a whole number");
                break;
            case FieldShape.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                sink.Number(number);
                break;
            case FieldShape.Number:
                Error(scalar, $"\"{text}\" is not a number");
                break;
            case FieldShape.Boolean when Flag(text) is { } flag:
                sink.Flag(flag);
                break;
            case FieldShape.Boolean:
                Error(scalar, $"\"{text}\" is not true or false");
                break;
            case FieldShape.IntOrString when scalar.Plain && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port):
                sink.Whole(port);
                break;
            case FieldShape.Quantity when !IsQuantity(text):
                Error(scalar, $"\"{text}\" is not a quantity");
                break;
            default:
                sink.Text(text);
                break;
        }
    }

    /// <summary>Whether the text is a quantity; the texts found to be are kept (up to a bound), as manifests repeat a few.</summary>
    private bool IsQuantity(string text)
    {
        if (_quantities.Contains(text))
        {
            return true;
        }

        if (!Quantity.TryParse(text, out _))
        {
            return false;
        }

        if (_quantities.Count < QuantityCapacity)
        {
            _quantities.Add(text);
        }

        return true;
    }

    /// <summary>A free-form value, typed by YAML's core schema: unquoted numbers, true/false and null keep their type.</summary>
    private void WriteAny(YamlNode node)
    {
        switch (node)
        {
            case YamlMapping mapping:
                WriteMap(mapping, AnySchema);
                break;
            case YamlSequence sequence:
                sink.StartList();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    _path.Add((null, i));
                    WriteAny(sequence.Items[i]);
                    _path.RemoveAt(_path.Count - 1);
                }

                sink.EndList();
                break;
            case YamlScalar { IsNull: true }:
                sink.Null();
                break;
            case YamlScalar { Plain: true, Value: var text } when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                sink.Whole(whole);
                break;
            case YamlScalar { Plain: true, Value: var text } when IsDecimal(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                sink.Number(number);
                break;
            case YamlScalar { Plain: true, Value: var text } when Boolean(text) is { } flag:
                sink.Flag(flag);
                break;
            case YamlScalar scalar:
                sink.Text(scalar.Value);
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

    /// <summary>For a field the model types as true/false, also YAML 1.1's words, as Kubernetes' YAML reader takes them.</summary>
    private static bool? Flag(string text) => Boolean(text) ?? text switch
    {
        "yes" or "Yes" or "YES" or "on" or "On" or "ON" => true,
        "no" or "No" or "NO" or "off" or "Off" or "OFF" => false,
        _ => null,
    };

    private static bool IsDecimal(string text) =>
        text.Length > 0 && (char.IsAsciiDigit(text[0]) || (text.Length > 1 && text[0] is '-' or '+' or '.' && char.IsAsciiDigit(text[^1])));

    private void Mismatch(YamlNode node, string expected)
    {
        var found = node switch
        {
            YamlMapping => "a mapping",
            YamlSequence => "a list",
            YamlScalar s => $"\"{s.Value}\"",
            _ => "something else",
        };
        Error(node, $"expected {expected} here, found {found}");
    }

    private void Error(YamlNode node, string message)
    {
        diagnostics.Add(new(true, node.Line, node.Column, Path, message));
        sink.Null();
    }
}
