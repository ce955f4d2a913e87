using System.Text.RegularExpressions;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Kubernetes.Conversions;
using Capstan.Kubernetes.Crds;
using k8s;
using k8s.Models;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// Reads Kubernetes YAML as users write it (several documents per file) into a <see cref="ManifestSet"/>:
/// Provisioner, AWSNodeTemplate, Deployment / StatefulSet / ReplicaSet / Job expanded by replicas or
/// parallelism, Pod, DaemonSet (as overhead), Node (as existing capacity) and Namespace (its labels, for pod
/// affinity's <c>namespaceSelector</c>). Other kinds are noted and skipped.
/// </summary>
public static partial class ManifestReader
{
    /// <summary>The label Kubernetes puts on every namespace, with its name.</summary>
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    private static readonly Dictionary<string, Type> s_crds = new(StringComparer.Ordinal)
    {
        [$"{V1Alpha5Provisioner.GroupVersion}/{V1Alpha5Provisioner.KindName}"] = typeof(V1Alpha5Provisioner),
        [$"{V1Alpha1AwsNodeTemplate.GroupVersion}/{V1Alpha1AwsNodeTemplate.KindName}"] = typeof(V1Alpha1AwsNodeTemplate),
    };

    [GeneratedRegex(@"^---[ \t]*(#.*)?$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^\s*apiVersion:\s*['""]?(?<v>[^'""\s#]+)", RegexOptions.Multiline)]
    private static partial Regex ApiVersionLine();

    [GeneratedRegex(@"^\s*kind:\s*['""]?(?<k>[^'""\s#]+)", RegexOptions.Multiline)]
    private static partial Regex KindLine();

    /// <summary>
    /// Reads every file; a file that cannot be read or parsed raises <see cref="ManifestException"/> naming it.
    /// </summary>
    /// <param name="sources">(name shown in errors, YAML text) pairs.</param>
    /// <param name="scale">Replica overrides by workload name, as if the user had run <c>kubectl scale</c>.</param>
    public static ManifestSet Read(IEnumerable<(string Name, string Yaml)> sources, IReadOnlyDictionary<string, int>? scale = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        scale ??= new Dictionary<string, int>();
        var provisioners = new List<Provisioner>();
        var templates = new List<NodeTemplate>();
        var inline = new Dictionary<string, NodeTemplate>(StringComparer.Ordinal);
        var pods = new List<PodRequest>();
        var daemons = new List<PodRequest>();
        var nodes = new List<NodeView>();
        var notes = new List<string>();
        var namespaces = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (name, yaml) in sources)
        {
            var documents = DocumentSeparator().Split(yaml);
            var index = 0;
            foreach (var document in documents)
            {
                index++;
                if (string.IsNullOrWhiteSpace(document) || document.Split('\n').All(l => l.TrimStart().StartsWith('#') || string.IsNullOrWhiteSpace(l)))
                {
                    continue;
                }

                object parsed;
                try
                {
                    if (!IsKnown(document, out var typeKey))
                    {
                        notes.Add($"{name}: document {index} ({typeKey}) is not a kind capstan plan uses; skipped");
                        continue;
                    }

                    parsed = KubernetesYaml.LoadAllFromString(document, s_crds).Single();
                }
                catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or InvalidOperationException or FormatException or KeyNotFoundException)
                {
                    throw new ManifestException($"{name}: document {index} is not valid Kubernetes YAML: {Flatten(ex)}", ex);
                }

                try
                {
                    Collect(parsed, pods, daemons, provisioners, templates, inline, nodes, namespaces, notes, name, scale);
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    throw new ManifestException($"{name}: document {index}: {ex.Message}", ex);
                }
            }
        }

        return new ManifestSet
        {
            Provisioners = provisioners,
            NodeTemplates = templates,
            InlineProviders = inline,
            Pods = pods,
            DaemonSets = daemons,
            Nodes = nodes,
            NamespaceLabels = WithImplicitNamespaces(namespaces, pods.Concat(daemons).Concat(nodes.SelectMany(n => n.Pods))),
            Notes = notes,
        };
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

    private static bool IsKnown(string document, out string typeKey)
    {
        var apiVersion = ApiVersionLine().Match(document);
        var kind = KindLine().Match(document);
        if (!apiVersion.Success || !kind.Success)
        {
            throw new FormatException("the document has no apiVersion or kind");
        }

        typeKey = $"{apiVersion.Groups["v"].Value}/{kind.Groups["k"].Value}";
        return s_crds.ContainsKey(typeKey) || typeKey is "apps/v1/Deployment" or "apps/v1/StatefulSet" or "apps/v1/ReplicaSet"
            or "apps/v1/DaemonSet" or "batch/v1/Job" or "v1/Pod" or "v1/Node" or "v1/Namespace";
    }

    private static string Flatten(Exception ex) => ex.InnerException is null ? ex.Message : $"{ex.Message} ({Flatten(ex.InnerException)})";

    private static void Collect(
        object parsed,
        List<PodRequest> pods,
        List<PodRequest> daemons,
        List<Provisioner> provisioners,
        List<NodeTemplate> templates,
        Dictionary<string, NodeTemplate> inline,
        List<NodeView> nodes,
        Dictionary<string, IReadOnlyDictionary<string, string>> namespaces,
        List<string> notes,
        string source,
        IReadOnlyDictionary<string, int> scale)
    {
        switch (parsed)
        {
            case V1Alpha5Provisioner p:
                provisioners.Add(ProvisionerDefaults.Apply(ProvisionerConversions.ToProvisioner(p)));
                if (p.Spec?.Provider is { } provider)
                {
                    inline[p.Metadata?.Name ?? ""] = NodeTemplateConversions.FromInlineProvider(provider);
                }

                break;
            case V1Alpha1AwsNodeTemplate t:
                templates.Add(NodeTemplateConversions.ToNodeTemplate(t));
                break;
            case V1Deployment d:
                Expand(d.Metadata, d.Spec?.Template, d.Spec?.Replicas ?? 1, pods, scale);
                break;
            case V1StatefulSet s:
                Expand(s.Metadata, s.Spec?.Template, s.Spec?.Replicas ?? 1, pods, scale);
                break;
            case V1ReplicaSet r:
                Expand(r.Metadata, r.Spec?.Template, r.Spec?.Replicas ?? 1, pods, scale);
                break;
            case V1Job j:
                Expand(j.Metadata, j.Spec?.Template, j.Spec?.Parallelism ?? 1, pods, scale);
                break;
            case V1Pod pod:
                pods.Add(PodConversions.ToPodRequest(pod, pods.Count));
                break;
            case V1DaemonSet ds:
                var template = ds.Spec?.Template ?? throw new FormatException($"DaemonSet {ds.Metadata?.Name} has no pod template");
                daemons.Add(PodConversions.ToPodRequest(Meta(ds.Metadata, template, ds.Metadata?.Name ?? "daemonset"), template.Spec, 0));
                break;
            case V1Node node:
                nodes.Add(ToNodeView(node));
                break;
            case V1Namespace ns:
                var nsName = ns.Metadata?.Name ?? throw new FormatException("a Namespace has no metadata.name");
                namespaces[nsName] = NamespaceLabels(nsName, ns.Metadata.Labels);
                break;
            default:
                notes.Add($"{source}: {parsed.GetType().Name} skipped");
                break;
        }
    }

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
