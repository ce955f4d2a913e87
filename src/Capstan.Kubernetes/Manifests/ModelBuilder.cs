using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// Builds the typed model's objects straight from the schema walk, with the serializer's own metadata for them (the
/// generated <see cref="JsonTypeInfo"/>: how to make an object, its fields by JSON name and their setters). The
/// result is what deserializing the walk's JSON would give, without writing that JSON and reading it back, which was
/// most of the cost of reading a manifest. Only plain objects, lists, maps and simple leaves (text, numbers, flags,
/// quantities given as text) are built here; any other value (times, int-or-string, free-form objects, a type with a
/// converter or callbacks of its own) and any event a blueprint does not expect is written as JSON and handed to the
/// serializer, so that it decides, errors included.
/// </summary>
/// <remarks>One builder per thread; it keeps a buffer and the quantities it has read (one instance per text).</remarks>
internal sealed class ModelBuilder(JsonSerializerOptions options) : IModelSink, IDisposable
{
    /// <summary>How many distinct quantity texts a builder keeps; past it, new ones are parsed every time.</summary>
    private const int QuantityCapacity = 4096;

    private static readonly ConcurrentDictionary<(JsonSerializerOptions, Type), Blueprint> s_blueprints = new();

    private readonly Dictionary<string, ResourceQuantity> _quantities = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private Frame[] _frames = new Frame[16];
    private int _depth;
    private string _prefix = "";

    /// <summary>What the next value must become; null when it is to be ignored (a field the model cannot set).</summary>
    private Blueprint? _next;

    /// <summary>How deep inside an ignored value the walk is.</summary>
    private int _ignoring;

    /// <summary>How deep inside a value handed to the serializer the walk is, and that value's blueprint.</summary>
    private int _capturing;
    private Blueprint? _captured;
    private Utf8JsonWriter? _json;
    private JsonSink? _jsonSink;

    private object? _result;

    /// <summary>The path of the first value that does not fit the model; null while all fit.</summary>
    public string? Misfit { get; private set; }

    public void Dispose() => _json?.Dispose();

    /// <summary>Starts building a <paramref name="type"/> from the walk that follows; <paramref name="path"/> prefixes the paths reported.</summary>
    public void Begin(Type type, string path)
    {
        _depth = 0;
        _ignoring = 0;
        _capturing = 0;
        _result = null;
        _prefix = path;
        Misfit = null;
        _next = For(type);
    }

    /// <summary>The object built, once the walk has ended (null when a value did not fit).</summary>
    public object? Result => Misfit is null ? _result : null;

    public void StartObject()
    {
        switch (RouteOf(+1))
        {
            case Route.Capture:
                _jsonSink!.StartObject();
                break;
            case Route.Build when _next is { Build: Build.Object or Build.Map } blueprint:
                Push(blueprint);
                _next = null;
                break;
            case Route.Build:
                Capture(container: true).StartObject();
                break;
        }
    }

    public void Property(string name)
    {
        if (_capturing > 0)
        {
            _jsonSink!.Property(name);
            return;
        }

        if (_ignoring > 0)
        {
            return;
        }

        ref var top = ref _frames[_depth - 1];
        top.Key = name;
        if (top.Blueprint.Build == Build.Map)
        {
            _next = top.Blueprint.Element;
            return;
        }

        top.Member = top.Blueprint.Members!.GetValueOrDefault(name);
        _next = top.Member?.Blueprint;
    }

    public void EndObject()
    {
        if (_capturing > 0)
        {
            _jsonSink!.EndObject();
            EndCaptured();
            return;
        }

        End();
    }

    public void StartList()
    {
        switch (RouteOf(+1))
        {
            case Route.Capture:
                _jsonSink!.StartList();
                break;
            case Route.Build when _next is { Build: Build.List } blueprint:
                Push(blueprint);
                _next = blueprint.Element;
                break;
            case Route.Build:
                Capture(container: true).StartList();
                break;
        }
    }

    public void EndList()
    {
        if (_capturing > 0)
        {
            _jsonSink!.EndList();
            EndCaptured();
            return;
        }

        End();
    }

    public void Null()
    {
        switch (RouteOf(0))
        {
            case Route.Capture:
                _jsonSink!.Null();
                break;
            case Route.Build when _next is { AcceptsNull: true, Build: not Build.Serializer }:
                Assign(null);
                break;
            case Route.Build:
                Capture(container: false).Null();
                Captured();
                break;
        }
    }

    public void Text(string value)
    {
        switch (RouteOf(0))
        {
            case Route.Capture:
                _jsonSink!.Text(value);
                break;
            case Route.Build when _next!.Build == Build.Text:
                Assign(value);
                break;
            case Route.Build when _next!.Build == Build.Quantity:
                Assign(Quantity(value));
                break;
            case Route.Build:
                Capture(container: false).Text(value);
                Captured();
                break;
        }
    }

    public void Whole(long value)
    {
        switch (RouteOf(0))
        {
            case Route.Capture:
                _jsonSink!.Whole(value);
                break;
            case Route.Build when _next!.Build == Build.Int32 && value is >= int.MinValue and <= int.MaxValue:
                Assign((int)value);
                break;
            case Route.Build when _next!.Build == Build.Int64:
                Assign(value);
                break;
            case Route.Build:
                Capture(container: false).Whole(value);
                Captured();
                break;
        }
    }

    public void Number(double value)
    {
        switch (RouteOf(0))
        {
            case Route.Capture:
                _jsonSink!.Number(value);
                break;
            case Route.Build when _next!.Build == Build.Double:
                Assign(value);
                break;
            case Route.Build:
                Capture(container: false).Number(value);
                Captured();
                break;
        }
    }

    public void Flag(bool value)
    {
        switch (RouteOf(0))
        {
            case Route.Capture:
                _jsonSink!.Flag(value);
                break;
            case Route.Build when _next!.Build == Build.Boolean:
                Assign(value);
                break;
            case Route.Build:
                Capture(container: false).Flag(value);
                Captured();
                break;
        }
    }

    /// <summary>
    /// Where the event that begins a value goes (<paramref name="nesting"/> is +1 when it starts an object or a list):
    /// into a value being handed to the serializer, into a value being ignored, or to be built here.
    /// </summary>
    private Route RouteOf(int nesting)
    {
        if (_capturing > 0)
        {
            _capturing += nesting;
            return Route.Capture;
        }

        if (_ignoring > 0 || _next is null)
        {
            _ignoring += nesting;
            return Route.Ignore;
        }

        return Route.Build;
    }

    /// <summary>The end of an object or a list this builder made.</summary>
    private void End()
    {
        if (_ignoring > 0)
        {
            if (--_ignoring == 0)
            {
                AfterValue();
            }

            return;
        }

        var done = _frames[--_depth];
        _frames[_depth] = default;
        Assign(done.Target);
    }

    private void EndCaptured()
    {
        if (--_capturing == 0)
        {
            Captured();
        }
    }

    /// <summary>Starts handing the value that begins now to the serializer.</summary>
    private JsonSink Capture(bool container)
    {
        _captured = _next;
        _capturing = container ? 1 : 0;
        _buffer.ResetWrittenCount();
        if (_json is null)
        {
            _json = new Utf8JsonWriter(_buffer);
            _jsonSink = new JsonSink(_json);
        }
        else
        {
            _json.Reset(_buffer);
        }

        return _jsonSink!;
    }

    /// <summary>Deserializes a value handed to the serializer once it is complete (a leaf at once, an object or list at its end).</summary>
    private void Captured()
    {
        _json!.Flush();
        object? value;
        try
        {
            value = JsonSerializer.Deserialize(_buffer.WrittenSpan, _captured!.Info);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            NotFitting();
            return;
        }

        Assign(value);
    }

    private void Push(Blueprint blueprint)
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }

        _frames[_depth++] = new Frame { Blueprint = blueprint, Target = blueprint.Create!() };
    }

    private void Assign(object? value)
    {
        if (_depth == 0)
        {
            _result = value;
            return;
        }

        ref var top = ref _frames[_depth - 1];
        switch (top.Blueprint.Build)
        {
            case Build.Object:
                top.Member!.Set(top.Target, value);
                break;
            case Build.Map:
                ((IDictionary)top.Target)[top.Key!] = value;
                break;
            default:
                ((IList)top.Target).Add(value);
                top.Count++;
                break;
        }

        AfterValue();
    }

    private void AfterValue() => _next = _depth > 0 && _frames[_depth - 1].Blueprint.Build == Build.List ? _frames[_depth - 1].Blueprint.Element : null;

    private void NotFitting()
    {
        if (Misfit is null)
        {
            var path = _prefix;
            for (var i = 0; i < _depth; i++)
            {
                ref var frame = ref _frames[i];
                path = frame.Blueprint.Build == Build.List ? UnknownFields.Item(path, frame.Count) : UnknownFields.Child(path, frame.Key ?? "");
            }

            Misfit = path;
        }

        AfterValue();
    }

    private ResourceQuantity Quantity(string text)
    {
        if (_quantities.TryGetValue(text, out var known))
        {
            return known;
        }

        var quantity = new ResourceQuantity(text);
        if (_quantities.Count < QuantityCapacity)
        {
            _quantities[text] = quantity;
        }

        return quantity;
    }

    private Blueprint For(Type type) => s_blueprints.GetOrAdd((options, type), static key => Blueprint.Of(key.Item1, key.Item2));

    private struct Frame
    {
        public Blueprint Blueprint;
        public object Target;

        /// <summary>The field (of an object) or key (of a map) whose value comes next.</summary>
        public string? Key;
        public Member? Member;

        /// <summary>A list's items so far.</summary>
        public int Count;
    }

    private enum Route
    {
        Build,
        Capture,
        Ignore,
    }

    private enum Build
    {
        Object,
        List,
        Map,
        Text,
        Int32,
        Int64,
        Double,
        Boolean,
        Quantity,

        /// <summary>Handed to the serializer.</summary>
        Serializer,
    }

    private sealed class Member(JsonSerializerOptions options, Action<object, object?> set, Type type)
    {
        private Blueprint? _blueprint;

        public Action<object, object?> Set { get; } = set;

        public Blueprint Blueprint => _blueprint ??= s_blueprints.GetOrAdd((options, type), static key => Blueprint.Of(key.Item1, key.Item2));
    }

    /// <summary>How values of one type are built, read once from the serializer's metadata.</summary>
    private sealed class Blueprint
    {
        private readonly JsonSerializerOptions _options;
        private readonly Type? _elementType;
        private Blueprint? _element;

        private Blueprint(JsonSerializerOptions options, JsonTypeInfo info, Build build, Type? elementType = null)
        {
            _options = options;
            Info = info;
            Build = build;
            _elementType = elementType;
            AcceptsNull = !info.Type.IsValueType || Nullable.GetUnderlyingType(info.Type) is not null;
        }

        public JsonTypeInfo Info { get; }

        public Build Build { get; }

        public bool AcceptsNull { get; }

        public Func<object>? Create { get; private init; }

        /// <summary>An object's settable fields by JSON name.</summary>
        public Dictionary<string, Member>? Members { get; private init; }

        /// <summary>A list's item or a map's value.</summary>
        public Blueprint? Element => _elementType is null ? null
            : _element ??= s_blueprints.GetOrAdd((_options, _elementType), static key => Of(key.Item1, key.Item2));

        public static Blueprint Of(JsonSerializerOptions options, Type type)
        {
            var info = options.GetTypeInfo(type);
            var plain = Nullable.GetUnderlyingType(type) ?? type;
            if (Leaf(plain) is { } leaf)
            {
                return new Blueprint(options, info, leaf);
            }

            switch (info.Kind)
            {
                case JsonTypeInfoKind.Object when Buildable(info):
                    var members = new Dictionary<string, Member>(StringComparer.Ordinal);
                    foreach (var property in info.Properties)
                    {
                        if (property.Set is { } set)
                        {
                            members[property.Name] = new Member(options, set, property.PropertyType);
                        }
                    }

                    return new Blueprint(options, info, Build.Object) { Create = info.CreateObject, Members = members };
                case JsonTypeInfoKind.Enumerable when info.ElementType is { } item && type.IsAssignableFrom(typeof(List<>).MakeGenericType(item)):
                    var list = typeof(List<>).MakeGenericType(item);
                    return new Blueprint(options, info, Build.List, item) { Create = () => Activator.CreateInstance(list)! };
                case JsonTypeInfoKind.Dictionary when info.KeyType == typeof(string) && info.ElementType is { } value
                    && type.IsAssignableFrom(typeof(Dictionary<,>).MakeGenericType(typeof(string), value)):
                    var map = typeof(Dictionary<,>).MakeGenericType(typeof(string), value);
                    return new Blueprint(options, info, Build.Map, value) { Create = () => Activator.CreateInstance(map)! };
                default:
                    return new Blueprint(options, info, Build.Serializer);
            }
        }

        private static Build? Leaf(Type type) =>
            type == typeof(string) ? Build.Text
            : type == typeof(int) ? Build.Int32
            : type == typeof(long) ? Build.Int64
            : type == typeof(double) ? Build.Double
            : type == typeof(bool) ? Build.Boolean
            : type == typeof(ResourceQuantity) ? Build.Quantity
            : null;

        /// <summary>An object the serializer would fill field by field with nothing of its own on the way.</summary>
        private static bool Buildable(JsonTypeInfo info) =>
            info.CreateObject is not null && info.OnDeserializing is null && info.OnDeserialized is null && info.NumberHandling is null
            && info.UnmappedMemberHandling is null && info.PolymorphismOptions is null
            && info.Properties.All(p => !p.IsExtensionData && !p.IsRequired && p.NumberHandling is null && p.CustomConverter is null
                && p.ObjectCreationHandling is null or System.Text.Json.Serialization.JsonObjectCreationHandling.Replace);
    }
}
