using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Capstan.Kubernetes.Manifests;

/// <summary>What a field of the typed model holds, as far as reading and checking a manifest needs to know.</summary>
public enum FieldShape
{
    /// <summary>Anything goes (a free-form object such as the inline <c>spec.provider</c>); not checked.</summary>
    Any,

    /// <summary>An object whose field names the model declares (<c>[JsonPropertyName]</c>).</summary>
    Structure,

    /// <summary>A map with keys of the user's choosing (labels, annotations, resource lists, selectors).</summary>
    Map,

    /// <summary>A list.</summary>
    List,

    /// <summary>Text.</summary>
    Text,

    /// <summary>A whole number.</summary>
    WholeNumber,

    /// <summary>A number, whole or not.</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>A whole number or a text, such as a port (<c>IntOrString</c>).</summary>
    IntOrString,

    /// <summary>A Kubernetes quantity such as <c>500m</c> or <c>2Gi</c>.</summary>
    Quantity,
}

/// <summary>
/// The shape of one type of the Kubernetes model (k8s.Models and the CRD classes), read once by reflection from
/// the <c>[JsonPropertyName]</c> attributes and cached. Both front ends use it: the manifest reader (YAML nodes)
/// and the webhook (JSON elements).
/// </summary>
public sealed class FieldSchema
{
    private static readonly ConcurrentDictionary<Type, FieldSchema> s_cache = new();

    private readonly Type _type;
    private Dictionary<string, FieldSchema>? _fields;
    private FieldSchema? _element;

    private FieldSchema(FieldShape shape, Type type)
    {
        Shape = shape;
        _type = type;
    }

    public FieldShape Shape { get; }

    /// <summary>For <see cref="FieldShape.Structure"/>: its fields by their JSON name.</summary>
    public IReadOnlyDictionary<string, FieldSchema> Fields => _fields ??= ReadFields(_type);

    /// <summary>For <see cref="FieldShape.Map"/> and <see cref="FieldShape.List"/>: the schema of a value or an item.</summary>
    public FieldSchema Element => _element ??= For(ElementType(_type) ?? typeof(object));

    /// <summary>The schema of a model type (cached).</summary>
    public static FieldSchema For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return s_cache.GetOrAdd(type, static t => new FieldSchema(ShapeOf(t), t));
    }

    /// <summary>The schema of a model type (cached).</summary>
    public static FieldSchema For<T>() => For(typeof(T));

    /// <summary>The declared field closest to <paramref name="name"/> by edit distance, when it is close enough to be a typo.</summary>
    public string? Suggest(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in Fields.Keys)
        {
            var distance = EditDistance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        var allowed = Math.Max(1, Math.Min(3, name.Length / 3));
        return best is not null && bestDistance <= allowed ? best : null;
    }

    /// <summary>The warning for a field the model does not know, as kubectl words it, with a suggestion where one is close.</summary>
    public string UnknownFieldWarning(string path, string name)
    {
        var suggestion = Suggest(name);
        return suggestion is null ? $"unknown field \"{path}\"" : $"unknown field \"{path}\" (did you mean \"{suggestion}\"?)";
    }

    private static FieldShape ShapeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(byte[]) || type.IsEnum)
        {
            return FieldShape.Text;
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong))
        {
            return FieldShape.WholeNumber;
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return FieldShape.Number;
        }

        if (type == typeof(bool))
        {
            return FieldShape.Boolean;
        }

        if (type == typeof(IntOrString))
        {
            return FieldShape.IntOrString;
        }

        if (type == typeof(ResourceQuantity))
        {
            return FieldShape.Quantity;
        }

        if (type == typeof(object) || type.IsPrimitive)
        {
            return FieldShape.Any;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return valueType == typeof(object) ? FieldShape.Any : FieldShape.Map;
        }

        if (ListItemType(type) is not null)
        {
            return FieldShape.List;
        }

        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null)
            ? FieldShape.Structure
            : FieldShape.Any;
    }

    private static Type? ElementType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return DictionaryValueType(type) ?? ListItemType(type);
    }

    private static Type? DictionaryValueType(Type type) =>
        Interfaces(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? ListItemType(Type type) =>
        type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type) ? null
        : Interfaces(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static IEnumerable<Type> Interfaces(Type type) => type.IsInterface ? type.GetInterfaces().Prepend(type) : type.GetInterfaces();

    private static Dictionary<string, FieldSchema> ReadFields(Type type)
    {
        var fields = new Dictionary<string, FieldSchema>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name && property.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            {
                fields[name.Name] = For(property.PropertyType);
            }
        }

        return fields;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
