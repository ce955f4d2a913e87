using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Kubernetes.Conversions;
using Capstan.Kubernetes.Crds;
using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// Reads Kubernetes YAML as users write it (several documents per file, <c>kind: List</c>) into a
/// <see cref="ManifestSet"/>: Provisioner, AWSNodeTemplate, Deployment / StatefulSet / ReplicaSet / Job expanded by
/// replicas or parallelism, Pod, DaemonSet (as overhead), Node (as existing capacity) and Namespace (its labels,
/// for pod affinity's <c>namespaceSelector</c>). Other kinds are noted and skipped. One pass of the YAML parser
/// builds light nodes; a walk guided by the typed model's schema writes JSON for the model, reporting unknown
/// fields (warnings), keys given twice and values of the wrong kind (errors, with line and column).
/// </summary>
public static class ManifestReader
{
    private static readonly Dictionary<string, Kind> s_kinds = new(StringComparer.Ordinal)
    {
        [$"{V1Alpha5Provisioner.GroupVersion}/{V1Alpha5Provisioner.KindName}"] = Kind.Of<V1Alpha5Provisioner>(clusterScoped: true),
        [$"{V1Alpha1AwsNodeTemplate.GroupVersion}/{V1Alpha1AwsNodeTemplate.KindName}"] = Kind.Of<V1Alpha1AwsNodeTemplate>(clusterScoped: true),
        ["apps/v1/Deployment"] = Kind.Of<V1Deployment>(),
        ["apps/v1/StatefulSet"] = Kind.Of<V1StatefulSet>(),
        ["apps/v1/ReplicaSet"] = Kind.Of<V1ReplicaSet>(),
        ["apps/v1/DaemonSet"] = Kind.Of<V1DaemonSet>(),
        ["batch/v1/Job"] = Kind.Of<V1Job>(),
        ["v1/Pod"] = Kind.Of<V1Pod>(),
        ["v1/Node"] = Kind.Of<V1Node>(clusterScoped: true),
        ["v1/Namespace"] = Kind.Of<V1Namespace>(clusterScoped: true),
    };

    /// <summary>The label Kubernetes puts on every namespace, with its name.</summary>
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>
    /// Reads every file. Whatever makes the input unusable (broken YAML, keys given twice, values of the wrong
    /// kind, objects the webhook would refuse) is collected, and all of it raised at the end as one
    /// <see cref="ManifestException"/> whose <see cref="ManifestException.Errors"/> each name the file, the
    /// document, the line and column and the field.
    /// </summary>
    /// <param name="sources">(name shown in messages, YAML text) pairs.</param>
    /// <param name="scale">Replica overrides by workload name, as if the user had run <c>kubectl scale</c>.</param>
    /// <param name="admission">
    /// Defaulting and validation of the objects a webhook reviews; without it Provisioners get the Core defaults.
    /// </param>
    public static ManifestSet Read(
        IEnumerable<(string Name, string Yaml)> sources, IReadOnlyDictionary<string, int>? scale = null, IManifestAdmission? admission = null) =>
        Read(sources, scale, admission, ParallelThreshold);

    /// <summary><see cref="Read(IEnumerable{ValueTuple{string, string}}, IReadOnlyDictionary{string, int}?, IManifestAdmission?)"/> with the size from which an input is read in parallel parts.</summary>
    internal static ManifestSet Read(
        IEnumerable<(string Name, string Yaml)> sources, IReadOnlyDictionary<string, int>? scale, IManifestAdmission? admission, int parallelThreshold)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var run = new ReadRun(admission, parallelThreshold);
        foreach (var (name, yaml) in sources)
        {
            run.ReadSource(name, yaml);
        }

        if (run.Errors.Count > 0)
        {
            throw new ManifestException(run.Errors, run.Warnings);
        }

        var set = run.Collect(scale ?? new Dictionary<string, int>());
        return run.Errors.Count > 0 ? throw new ManifestException(run.Errors, run.Warnings) : set;
    }

    /// <summary>The serializer options the reader builds and deserializes the model with.</summary>
    internal static JsonSerializerOptions SerializerOptions => s_json;

    /// <summary>The model type and schema of a kind the reader uses (<c>apiVersion/kind</c>); null for any other.</summary>
    internal static (Type Type, FieldSchema Schema)? ModelOf(string typeKey) =>
        s_kinds.TryGetValue(typeKey, out var kind) ? (kind.Type, kind.Schema) : null;

    /// <summary>A kind the reader uses: its model type, how to read it from JSON, and whether it lives in a namespace.</summary>
    private delegate object Deserializer(ReadOnlySpan<byte> json);

    /// <summary>The Kubernetes client's own serializer options (its converters for quantities, int-or-string, times).</summary>
    private static readonly JsonSerializerOptions s_json = KubernetesOptions();

    /// <summary>Inputs at least this long are cut into parts (<see cref="YamlTree.Parts"/>), parsed and read on every core.</summary>
    internal const int ParallelThreshold = 256 * 1024;

    private sealed record Kind(Type Type, FieldSchema Schema, Deserializer Deserialize, bool ClusterScoped)
    {
        public static Kind Of<T>(bool clusterScoped = false) =>
            new(typeof(T), FieldSchema.For<T>(), json => JsonSerializer.Deserialize(json, (JsonTypeInfo<T>)s_json.GetTypeInfo(typeof(T)))!, clusterScoped);
    }

    /// <summary>The Kubernetes client's options (its converters), with the metadata of <see cref="ManifestJsonContext"/>.</summary>
    private static JsonSerializerOptions KubernetesOptions()
    {
        JsonSerializerOptions? client = null;
        KubernetesJson.AddJsonOptions(o => client = o);
        var options = new JsonSerializerOptions(client ?? throw new InvalidOperationException("the Kubernetes client gave no serializer options"))
        {
            TypeInfoResolver = ManifestJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// One object read, with where it came from (<c>FILE: document N</c>). A Pod is kept as its Core request,
    /// converted where it was read (on any core), so that its object graph dies young; as the model object only when
    /// that conversion failed, which the collection then reports in input order.
    /// </summary>
    private sealed record Entry(string Where, string Identity, object Value);

    private enum OutcomeKind
    {
        Error,
        Warning,
        Note,
        Object,
    }

    /// <summary>
    /// What reading a document gave, in the order it came, replayed into the run in input order. Its text (and its
    /// entry's <see cref="Entry.Where"/>) is what follows <c>FILE: document N</c>, which the replay puts before it:
    /// a part read on its own knows its documents' numbers only within the part.
    /// </summary>
    private readonly record struct Outcome(OutcomeKind Kind, int Document, string Text, Entry? Entry = null, string? KindName = null, string? Display = null);

    /// <summary>The state of one reading of manifests: the objects in input order, the last of each identity kept.</summary>
    private sealed class ReadRun(IManifestAdmission? admission, int parallelThreshold)
    {
        private readonly List<Entry?> _entries = [];
        private readonly Dictionary<string, int> _byIdentity = new(StringComparer.Ordinal);

        /// <summary>Admission code is not known to be thread-safe: one review at a time.</summary>
        private readonly Lock _admission = new();

        public List<string> Errors { get; } = [];

        public List<string> Warnings { get; } = [];

        public List<string> Notes { get; } = [];

        public void ReadSource(string name, string yaml)
        {
            var parts = yaml.Length < parallelThreshold ? null : YamlTree.Parts(yaml);
            if (parts is null || parts.Count < 2)
            {
                parts = [(0, 0)];
            }

            // Contiguous runs of parts, a few per core so that one slow run does not leave a core idle.
            var batches = Math.Min(parts.Count, 4 * Environment.ProcessorCount);
            var read = new (List<Outcome> Log, int Documents, (int Document, YamlException Error)? Broken)[batches];
            void ReadBatch(int b)
            {
                using var reader = new DocumentReader(admission, _admission);
                var documents = 0;
                for (var p = b * parts.Count / batches; p < (b + 1) * parts.Count / batches; p++)
                {
                    var (start, line) = parts[p];
                    var end = p + 1 < parts.Count ? parts[p + 1].Start : yaml.Length;
                    var before = documents;
                    var current = 0;
                    try
                    {
                        YamlTree.Read(parts.Count == 1 ? yaml : yaml[start..end], (index, root) => reader.ReadDocument(before + index, root), out current, line);
                        documents = before + current;
                    }
                    catch (YamlException e)
                    {
                        read[b] = (reader.Log, before + current, (before + current, e));
                        return;
                    }
                }

                read[b] = (reader.Log, documents, null);
            }

            if (batches == 1)
            {
                ReadBatch(0);
            }
            else
            {
                Parallel.For(0, batches, ReadBatch);
            }

            // In input order, numbered as one stream; broken YAML ends the input where it is found, as in one pass.
            var first = 0;
            foreach (var (log, documents, broken) in read)
            {
                Replay(log, name, first);
                if (broken is var (document, error))
                {
                    Errors.Add(NotYaml(name, first + document, error));
                    return;
                }

                first += documents;
            }
        }

        private void Replay(List<Outcome> log, string source, int first)
        {
            foreach (var outcome in log)
            {
                var where = $"{source}: document {(first + outcome.Document).ToString(CultureInfo.InvariantCulture)}";
                switch (outcome.Kind)
                {
                    case OutcomeKind.Error:
                        Errors.Add(where + outcome.Text);
                        break;
                    case OutcomeKind.Warning:
                        Warnings.Add(where + outcome.Text);
                        break;
                    case OutcomeKind.Note:
                        Notes.Add(where + outcome.Text);
                        break;
                    default:
                        Add(outcome.Entry! with { Where = where + outcome.Entry!.Where }, outcome.KindName!, outcome.Display!);
                        break;
                }
            }
        }

        private void Add(Entry entry, string kindName, string display)
        {
            if (entry.Identity.Length > 0 && _byIdentity.TryGetValue(entry.Identity, out var earlier))
            {
                Warnings.Add($"{entry.Where}: {kindName} \"{display}\" is also given in {_entries[earlier]!.Where}; this later one is used, as kubectl apply would");
                _entries[earlier] = null;
            }

            if (entry.Identity.Length > 0)
            {
                _byIdentity[entry.Identity] = _entries.Count;
            }

            _entries.Add(entry);
        }

        public ManifestSet Collect(IReadOnlyDictionary<string, int> scale)
        {
            var sink = new Sink(scale, admission is not null);
            foreach (var entry in _entries)
            {
                if (entry is null)
                {
                    continue;
                }

                try
                {
                    sink.Collect(entry.Value);
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    Errors.Add($"{entry.Where}: {ex.Message}");
                }
            }

            sink.PlaceBoundPods(Notes);
            return new ManifestSet
            {
                Provisioners = sink.Provisioners,
                NodeTemplates = sink.Templates,
                InlineProviders = sink.Inline,
                Pods = sink.Pods,
                DaemonSets = sink.Daemons,
                Nodes = sink.Nodes,
                NamespaceLabels = WithImplicitNamespaces(sink.Namespaces, sink.Pods.Concat(sink.Daemons).Concat(sink.Nodes.SelectMany(n => n.Pods))),
                Notes = Notes,
                Warnings = Warnings,
            };
        }
    }

    /// <summary>Reads documents into a log of outcomes; one per thread, with its own JSON buffer.</summary>
    private sealed class DocumentReader(IManifestAdmission? admission, Lock admissionGate) : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
        private readonly List<ManifestDiagnostic> _diagnostics = [];
        private readonly ModelBuilder _builder = new(s_json);
        private YamlWalk? _build;
        private Utf8JsonWriter? _writer;
        private YamlWalk? _json;

        private int _document;

        public List<Outcome> Log { get; } = [];

        public void Dispose()
        {
            _writer?.Dispose();
            _builder.Dispose();
        }

        private void Error(string text) => Log.Add(new Outcome(OutcomeKind.Error, _document, text));

        private void Add(OutcomeKind kind, string text) => Log.Add(new Outcome(kind, _document, text));

        /// <summary>Reads document <paramref name="index"/> (of the part being read, counted from 1).</summary>
        public void ReadDocument(int index, YamlNode? root)
        {
            if (root is null)
            {
                return;
            }

            // Messages start after "FILE: document N", which the replay adds (see Outcome).
            _document = index;
            var where = "";
            if (root is not YamlMapping mapping)
            {
                Error($"{where}, {At(root.Line, root.Column)}: a manifest must be a mapping with apiVersion and kind");
                return;
            }

            var (apiVersion, kind) = (Top(mapping, "apiVersion"), Top(mapping, "kind"));
            if (apiVersion is null || kind is null)
            {
                Error($"{where}, {At(root.Line, root.Column)}: the document has no apiVersion or kind");
                return;
            }

            if (kind == "List" && apiVersion == "v1")
            {
                ReadList(where, mapping);
                return;
            }

            ReadObject(where, "", $"{apiVersion}/{kind}", mapping);
        }

        private void ReadList(string where, YamlMapping list)
        {
            var items = list.Entries.FirstOrDefault(e => e.Key is YamlScalar { Value: "items" }).Value;
            if (items is YamlScalar { IsNull: true } or null)
            {
                return;
            }

            if (items is not YamlSequence sequence)
            {
                Error($"{where}, {At(items.Line, items.Column)}: items: a List's items must be a list");
                return;
            }

            for (var i = 0; i < sequence.Items.Count; i++)
            {
                var path = UnknownFields.Item("items", i);
                if (sequence.Items[i] is not YamlMapping item || Top(item, "apiVersion") is not { } apiVersion || Top(item, "kind") is not { } kind)
                {
                    var node = sequence.Items[i];
                    Error($"{where}, {At(node.Line, node.Column)}: {path}: an item must be a mapping with apiVersion and kind");
                    continue;
                }

                ReadObject(where, path, $"{apiVersion}/{kind}", item);
            }
        }

        private void ReadObject(string where, string path, string typeKey, YamlMapping node)
        {
            var label = path.Length == 0 ? where : $"{where}, {path}";
            if (!s_kinds.TryGetValue(typeKey, out var kind))
            {
                Add(OutcomeKind.Note, $"{label} ({typeKey}) is not a kind capstan plan uses; skipped");
                return;
            }

            _diagnostics.Clear();
            var reviewed = admission?.Reviews(typeKey) == true;
            if (reviewed)
            {
                // The webhook's defaulting takes JSON: the walk writes it.
                _buffer.ResetWrittenCount();
                if (_writer is null)
                {
                    _writer = new Utf8JsonWriter(_buffer);
                    _json = new YamlWalk(new JsonSink(_writer), _diagnostics);
                }
                else
                {
                    _writer.Reset(_buffer);
                }

                _json!.Write(node, kind.Schema, path);
                _writer.Flush();
            }
            else
            {
                _builder.Begin(kind.Type, path);
                (_build ??= new YamlWalk(_builder, _diagnostics)).Write(node, kind.Schema, path);
            }

            var failed = false;
            foreach (var d in _diagnostics)
            {
                if (d.IsError)
                {
                    failed = true;
                    Error($"{where}, {At(d.Line, d.Column)}: {d.Path}: {d.Message}");
                }
                else
                {
                    Add(OutcomeKind.Warning, $"{where}, {At(d.Line, d.Column)}: {d.Message}");
                }
            }

            if (failed)
            {
                return;
            }

            object value;
            if (!reviewed)
            {
                if (_builder.Result is not { } built)
                {
                    var misfit = _builder.Misfit is { Length: > 0 } at ? $"{at}: " : "";
                    Error($"{label}: {misfit}{DoesNotFit(typeKey)}");
                    return;
                }

                value = built;
            }
            else
            {
                try
                {
                    lock (admissionGate)
                    {
                        value = kind.Deserialize(Encoding.UTF8.GetBytes(admission!.ApplyDefaults(typeKey, Encoding.UTF8.GetString(_buffer.WrittenSpan))));
                    }
                }
                catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
                {
                    var field = e is JsonException { Path: { Length: > 2 } jsonPath } ? $"{Join(path, jsonPath[2..])}: " : "";
                    Error($"{label}: {field}{DoesNotFit(typeKey)}");
                    return;
                }
            }

            var meta = (value as IMetadata<V1ObjectMeta>)?.Metadata;
            var name = meta?.Name ?? "";
            var display = kind.ClusterScoped || name.Length == 0 ? name : $"{meta?.NamespaceProperty ?? "default"}/{name}";
            if (reviewed)
            {
                IReadOnlyList<string> violations;
                lock (admissionGate)
                {
                    violations = admission!.Validate(value);
                }

                foreach (var violation in violations)
                {
                    Error($"{label}: {typeKey.Split('/')[^1]} \"{display}\" is refused, as the webhook would refuse it: {violation}");
                }

                if (violations.Count > 0)
                {
                    return;
                }
            }

            var entry = new Entry(label, name.Length == 0 ? "" : $"{typeKey} {display}", value is V1Pod pod ? TryConvert(pod) ?? value : value);
            Log.Add(new Outcome(OutcomeKind.Object, _document, "", entry, typeKey.Split('/')[^1], display));
        }

        private static string Join(string prefix, string path) => prefix.Length == 0 ? path : $"{prefix}.{path}";

        private static string DoesNotFit(string typeKey) => $"a value does not fit the Kubernetes object ({typeKey})";

        private static ReadPod? TryConvert(V1Pod pod)
        {
            try
            {
                return ReadPod.Of(pod);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                return null;
            }
        }
    }

    /// <summary>A top-level scalar field of a document (never one nested deeper).</summary>
    private static string? Top(YamlMapping mapping, string key)
    {
        foreach (var (k, v) in mapping.Entries)
        {
            if (k is YamlScalar { Value: var name } && name == key)
            {
                return v is YamlScalar { IsNull: false, Value: var value } ? value : null;
            }
        }

        return null;
    }

    private static string At(int line, int column) =>
        $"line {line.ToString(CultureInfo.InvariantCulture)}, column {column.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Broken YAML in words: the file, the document being read (the first when none had begun), where, and the
    /// parser's reason.
    /// </summary>
    internal static string NotYaml(string name, int document, YamlException e) =>
        $"{name}: document {Math.Max(document, 1).ToString(CultureInfo.InvariantCulture)}, {At((int)e.Start.Line, (int)e.Start.Column)}: this is not valid YAML ({ParserReason(e)})";

    /// <summary>The parser's own words for the problem, without its "While parsing ..." preamble.</summary>
    private static string ParserReason(YamlException e)
    {
        var message = e.Message;
        var comma = message.IndexOf(", ", StringComparison.Ordinal);
        if (message.StartsWith("While ", StringComparison.Ordinal) && comma > 0)
        {
            message = message[(comma + 2)..];
        }

        return message.TrimEnd('.');
    }

    /// <summary>Converts the objects read into Core types, in input order.</summary>
    private sealed class Sink(IReadOnlyDictionary<string, int> scale, bool defaulted)
    {
        public List<Provisioner> Provisioners { get; } = [];

        public List<NodeTemplate> Templates { get; } = [];

        public Dictionary<string, NodeTemplate> Inline { get; } = new(StringComparer.Ordinal);

        public List<PodRequest> Pods { get; } = [];

        public List<PodRequest> Daemons { get; } = [];

        public List<NodeView> Nodes { get; } = [];

        public Dictionary<string, IReadOnlyDictionary<string, string>> Namespaces { get; } = new(StringComparer.Ordinal);

        /// <summary>Pods already bound to a node (<c>spec.nodeName</c>), with that node's name, in input order.</summary>
        private readonly List<(PodRequest Pod, string NodeName)> _bound = [];

        private readonly List<string> _finished = [];

        /// <summary>
        /// A pod as a cluster dump gives it: a finished one (Succeeded, Failed) takes no capacity, a bound one counts on
        /// its node (kept until every Node has been read), any other is pending.
        /// </summary>
        private void Add(ReadPod pod)
        {
            if (pod.Phase is "Succeeded" or "Failed")
            {
                _finished.Add(pod.Request.Key);
            }
            else if (pod.NodeName is { } nodeName)
            {
                _bound.Add((pod.Request, nodeName));
            }
            else
            {
                Pods.Add(pod.Request with { CreationOrder = Pods.Count });
            }
        }

        /// <summary>
        /// Puts the bound pods on their nodes, once all are read (a dump may list pods before nodes); says in notes
        /// what was left out: finished pods, and pods bound to nodes the input does not give.
        /// </summary>
        public void PlaceBoundPods(List<string> notes)
        {
            if (_finished.Count > 0)
            {
                notes.Add($"{Number(_finished.Count)} finished pod(s) (Succeeded or Failed) take no capacity and are left out ({Sample(_finished)})");
            }

            if (_bound.Count == 0)
            {
                return;
            }

            var byNode = new Dictionary<string, List<PodRequest>>(StringComparer.Ordinal);
            var elsewhere = new List<string>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < Nodes.Count; i++)
            {
                index[Nodes[i].Name] = i;
            }

            foreach (var (pod, nodeName) in _bound)
            {
                if (!index.ContainsKey(nodeName))
                {
                    elsewhere.Add($"{pod.Key} on {nodeName}");
                    continue;
                }

                if (!byNode.TryGetValue(nodeName, out var list))
                {
                    byNode[nodeName] = list = [];
                }

                list.Add(pod);
            }

            foreach (var (nodeName, pods) in byNode)
            {
                var at = index[nodeName];
                Nodes[at] = Nodes[at] with { Pods = [.. Nodes[at].Pods, .. pods] };
            }

            if (elsewhere.Count > 0)
            {
                notes.Add($"{Number(elsewhere.Count)} pod(s) are bound to nodes the input does not give and are left out ({Sample(elsewhere)}); add the Node objects to count them");
            }

            static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

            static string Sample(List<string> items) =>
                items.Count <= 3 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(3))} and {Number(items.Count - 3)} more";
        }

        public void Collect(object parsed)
        {
            switch (parsed)
            {
                case V1Alpha5Provisioner p:
                    var provisioner = ProvisionerConversions.ToProvisioner(p);
                    Provisioners.Add(defaulted ? provisioner : ProvisionerDefaults.Apply(provisioner));
                    if (p.Spec?.Provider is { } provider)
                    {
                        Inline[p.Metadata?.Name ?? ""] = NodeTemplateConversions.FromInlineProvider(provider);
                    }

                    break;
                case V1Alpha1AwsNodeTemplate t:
                    Templates.Add(NodeTemplateConversions.ToNodeTemplate(t));
                    break;
                case V1Deployment d:
                    Expand(d.Metadata, d.Spec?.Template, d.Spec?.Replicas ?? 1, Pods, scale);
                    break;
                case V1StatefulSet s:
                    Expand(s.Metadata, s.Spec?.Template, s.Spec?.Replicas ?? 1, Pods, scale);
                    break;
                case V1ReplicaSet r:
                    Expand(r.Metadata, r.Spec?.Template, r.Spec?.Replicas ?? 1, Pods, scale);
                    break;
                case V1Job j:
                    Expand(j.Metadata, j.Spec?.Template, j.Spec?.Parallelism ?? 1, Pods, scale);
                    break;
                case ReadPod pod:
                    Add(pod);
                    break;
                case V1Pod pod:
                    Add(ReadPod.Of(pod));
                    break;
                case V1DaemonSet ds:
                    var template = ds.Spec?.Template ?? throw new FormatException($"DaemonSet {ds.Metadata?.Name} has no pod template");
                    Daemons.Add(PodConversions.ToPodRequest(Meta(ds.Metadata, template, ds.Metadata?.Name ?? "daemonset"), template.Spec, 0));
                    break;
                case V1Node node:
                    Nodes.Add(ToNodeView(node));
                    break;
                case V1Namespace ns:
                    var nsName = ns.Metadata?.Name ?? throw new FormatException("a Namespace has no metadata.name");
                    Namespaces[nsName] = NamespaceLabels(nsName, ns.Metadata.Labels);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>
    /// The declared namespaces and, as a cluster would have them, every namespace a pod names; each with the
    /// <c>kubernetes.io/metadata.name</c> label Kubernetes sets.
    /// </summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> WithImplicitNamespaces(
        Dictionary<string, IReadOnlyDictionary<string, string>> declared, IEnumerable<PodRequest> pods)
    {
        foreach (var ns in pods.Select(p => p.Namespace).Append("default").Distinct(StringComparer.Ordinal))
        {
            declared.TryAdd(ns, NamespaceLabels(ns, null));
        }

        return declared;
    }

    private static Dictionary<string, string> NamespaceLabels(string name, IDictionary<string, string>? labels) =>
        new(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [NamespaceNameLabel] = name };

    private static void Expand(V1ObjectMeta? owner, V1PodTemplateSpec? template, int replicas, List<PodRequest> pods, IReadOnlyDictionary<string, int> scale)
    {
        var name = owner?.Name ?? throw new FormatException("a workload has no metadata.name");
        if (template?.Spec is null)
        {
            throw new FormatException($"workload {name} has no pod template");
        }

        if (scale.TryGetValue(name, out var scaled))
        {
            replicas = scaled;
        }

        var first = PodConversions.ToPodRequest(Meta(owner, template, name), template.Spec, pods.Count);
        for (var i = 0; i < replicas; i++)
        {
            pods.Add(first with { Name = $"{name}-{i}", Uid = $"{first.Namespace}/{name}-{i}", CreationOrder = pods.Count });
        }
    }

    private static V1ObjectMeta Meta(V1ObjectMeta? owner, V1PodTemplateSpec template, string name) => new()
    {
        Name = name,
        NamespaceProperty = owner?.NamespaceProperty ?? template.Metadata?.NamespaceProperty ?? "default",
        Labels = template.Metadata?.Labels,
        Annotations = template.Metadata?.Annotations,
    };

    /// <summary>
    /// A node as written in a manifest is existing capacity: the cluster's conversion, except that a missing
    /// <c>status.allocatable</c> means its capacity, and that without a Ready condition it is not "in flight".
    /// </summary>
    private static NodeView ToNodeView(V1Node node)
    {
        if (string.IsNullOrEmpty(node.Metadata?.Name))
        {
            throw new FormatException("a Node has no metadata.name");
        }

        var view = NodeConversions.ToNodeView(node);
        return view with { Allocatable = node.Status?.Allocatable is null ? view.Capacity : view.Allocatable, InFlight = false };
    }
}

/// <summary>A Pod document as read: its request, and where the cluster has it (bound node, phase).</summary>
internal sealed record ReadPod(PodRequest Request, string? NodeName, string? Phase)
{
    public static ReadPod Of(V1Pod pod) =>
        new(PodConversions.ToPodRequest(pod), string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName, pod.Status?.Phase);
}
