using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// Turns YAML text into plain JSON objects, one per Kubernetes object, the way kubectl does before it sends
/// anything to an API server: no schema, no model types, only YAML's own typing. The sandbox's API stand-in
/// stores objects in this form, so what a scenario applies is what a real cluster would have received.
/// </summary>
/// <remarks>
/// Plain (unquoted, untagged) scalars are typed as JSON would read them: <c>true</c>/<c>false</c> (also
/// <c>True</c>, <c>TRUE</c>, ...) become booleans, <c>null</c>, <c>~</c> and nothing at all become null, and only
/// text that is a JSON number (<c>1</c>, <c>-2</c>, <c>1.5</c>, <c>1e3</c>) becomes a number. Everything else is
/// text: quoted values (<c>"1"</c>), quantities (<c>1.5Gi</c>), <c>0x1F</c>, <c>012</c>, <c>+1</c>, <c>.5</c>,
/// <c>.inf</c> and YAML 1.1's <c>yes</c>/<c>no</c>. Keys are always text. A <c>kind: List</c> document gives its
/// items; empty documents give nothing.
/// </remarks>
public static partial class ManifestDocuments
{
    /// <summary>Beyond this many values (aliases expanded) a document is refused: aliases must not multiply without end.</summary>
    private const int MaxValues = 1_000_000;

    /// <summary>
    /// Every object in <paramref name="yaml"/>, in order. Broken YAML, a key given twice, a document that is not
    /// a mapping or one without apiVersion and kind raise one <see cref="ManifestException"/> naming
    /// <paramref name="name"/>, the document number, the line and the column of every problem.
    /// </summary>
    /// <param name="name">What the text is called in messages, usually its file name.</param>
    /// <param name="yaml">One or more YAML documents.</param>
    public static IReadOnlyList<JsonObject> Read(string name, string yaml)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(yaml);
        var objects = new List<JsonObject>();
        var errors = new List<string>();
        var document = 0;
        try
        {
            YamlTree.Read(yaml, (index, root) => ReadDocument($"{name}: document {Number(index)}", root, objects, errors), out document);
        }
        catch (YamlException e)
        {
            errors.Add(ManifestReader.NotYaml(name, document, e));
        }

        return errors.Count > 0 ? throw new ManifestException(errors) : objects;
    }

    private static void ReadDocument(string where, YamlNode? root, List<JsonObject> objects, List<string> errors)
    {
        if (root is null)
        {
            return;
        }

        if (root is not YamlMapping mapping)
        {
            errors.Add($"{where}, {At(root.Line, root.Column)}: a manifest must be a mapping with apiVersion and kind, not {Describe(root)}");
            return;
        }

        var converter = new Converter(where, errors);
        if (converter.Convert(mapping) is not JsonObject json || !converter.Succeeded)
        {
            return;
        }

        if (!HasTypeFields(json))
        {
            errors.Add($"{where}, {At(root.Line, root.Column)}: the document has no apiVersion or kind");
            return;
        }

        if (json["kind"]!.GetValue<string>() != "List")
        {
            objects.Add(json);
            return;
        }

        ExpandList(where, mapping, json, objects, errors);
    }

    private static void ExpandList(string where, YamlMapping mapping, JsonObject list, List<JsonObject> objects, List<string> errors)
    {
        var itemsNode = mapping.Entries.FirstOrDefault(e => e.Key is YamlScalar { Value: "items" }).Value;
        switch (list["items"])
        {
            case null:
                return;
            case JsonArray items:
                var nodes = ((YamlSequence)itemsNode).Items;
                for (var i = 0; i < items.Count; i++)
                {
                    var at = At(nodes[i].Line, nodes[i].Column);
                    if (items[i] is not JsonObject item)
                    {
                        errors.Add($"{where}, {at}: items[{Number(i)}]: an item must be a mapping with apiVersion and kind");
                    }
                    else if (!HasTypeFields(item))
                    {
                        errors.Add($"{where}, {at}: items[{Number(i)}]: the item has no apiVersion or kind");
                    }
                    else
                    {
                        items[i] = null;
                        objects.Add(item);
                    }
                }

                return;
            default:
                errors.Add($"{where}, {At(itemsNode.Line, itemsNode.Column)}: items: a List's items must be a list");
                return;
        }
    }

    private static bool HasTypeFields(JsonObject json) =>
        json["apiVersion"] is JsonValue apiVersion && apiVersion.TryGetValue<string>(out var a) && a.Length > 0
        && json["kind"] is JsonValue kind && kind.TryGetValue<string>(out var k) && k.Length > 0;

    /// <summary>Writes one document's nodes as JSON nodes, collecting every key given twice.</summary>
    private sealed class Converter(string where, List<string> errors)
    {
        // Aliases share nodes: one in the path of its own ancestors is a loop, not a value.
        private readonly HashSet<YamlNode> _open = new(ReferenceEqualityComparer.Instance);
        private int _values;

        public bool Succeeded { get; private set; } = true;

        public JsonNode? Convert(YamlNode node)
        {
            if (++_values > MaxValues)
            {
                return Fail(node, $"the document holds more than {Number(MaxValues)} values once its aliases are expanded");
            }

            switch (node)
            {
                case YamlScalar scalar:
                    return Scalar(scalar);
                case YamlMapping or YamlSequence when !_open.Add(node):
                    return Fail(node, "an alias here refers to a mapping or list that contains it");
                case YamlMapping mapping:
                    var json = new JsonObject();
                    var first = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
                    foreach (var (keyNode, value) in mapping.Entries)
                    {
                        if (keyNode is not YamlScalar { Value: var key })
                        {
                            Fail(keyNode, "a key must be plain text, not a list or a mapping");
                            continue;
                        }

                        if (!first.TryAdd(key, keyNode))
                        {
                            var earlier = first[key];
                            Fail(keyNode, $"the key \"{key}\" appears twice in one mapping (first on line {Number(earlier.Line)}, column {Number(earlier.Column)})");
                            continue;
                        }

                        json[key] = Convert(value);
                    }

                    _open.Remove(node);
                    return json;
                default:
                    var array = new JsonArray();
                    foreach (var item in ((YamlSequence)node).Items)
                    {
                        array.Add(Convert(item));
                    }

                    _open.Remove(node);
                    return array;
            }
        }

        private JsonNode? Fail(YamlNode node, string message)
        {
            Succeeded = false;
            errors.Add($"{where}, {At(node.Line, node.Column)}: {message}");
            return null;
        }
    }

    private static JsonNode? Scalar(YamlScalar scalar)
    {
        if (!scalar.Plain)
        {
            return JsonValue.Create(scalar.Value);
        }

        return scalar.Value switch
        {
            _ when scalar.IsNull => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            var text when JsonNumber().IsMatch(text) => JsonNode.Parse(text),
            var text => JsonValue.Create(text),
        };
    }

    /// <summary>A JSON number literal, exactly (RFC 8259): no leading zeros, no <c>+</c>, digits around the point.</summary>
    [GeneratedRegex(@"\A-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequence => "a list",
        YamlScalar s => $"the value \"{s.Value}\"",
        _ => "a mapping",
    };

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string At(int line, int column) => $"line {Number(line)}, column {Number(column)}";
}
