using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using k8s.Models;

namespace Capstan.Kubernetes.Conversions;

/// <summary>Turns a Kubernetes pod (or a pod template) into the <see cref="PodRequest"/> the core packs.</summary>
public static class PodConversions
{
    public const string DoNotEvictAnnotation = "karpenter.sh/do-not-evict";

    /// <summary>Cluster Autoscaler's per-pod answer to "may a scale-down move this pod".</summary>
    public const string SafeToEvictAnnotation = "cluster-autoscaler.kubernetes.io/safe-to-evict";

    public static PodRequest ToPodRequest(V1Pod pod, long creationOrder = 0)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var metadata = pod.Metadata ?? new V1ObjectMeta();
        return ToPodRequest(metadata, pod.Spec ?? new V1PodSpec(), creationOrder);
    }

    /// <summary>The pod with its lifecycle: the request, binding, <c>PodScheduled</c> condition, owner, nomination and deletion.</summary>
    public static PodView ToPodView(V1Pod pod, long creationOrder = 0)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var metadata = pod.Metadata ?? new V1ObjectMeta();
        var owners = metadata.OwnerReferences ?? [];
        var owner = owners.FirstOrDefault(o => o.Controller == true) ?? owners.FirstOrDefault();
        var scheduled = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        return new PodView
        {
            Request = ToPodRequest(pod, creationOrder),
            NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
            Phase = string.IsNullOrEmpty(pod.Status?.Phase) ? "Pending" : pod.Status.Phase,
            ScheduledStatus = scheduled?.Status,
            ScheduledReason = string.IsNullOrEmpty(scheduled?.Reason) ? null : scheduled.Reason,
            SchedulerName = string.IsNullOrEmpty(pod.Spec?.SchedulerName) ? PodView.DefaultScheduler : pod.Spec.SchedulerName,
            OwnerKind = owner?.Kind,
            OwnerName = owner?.Name,
            NominatedNodeName = string.IsNullOrEmpty(pod.Status?.NominatedNodeName) ? null : pod.Status.NominatedNodeName,
            DeletionTimestamp = Utc(metadata.DeletionTimestamp),
            Priority = pod.Spec?.Priority,
            CreatedAt = Utc(metadata.CreationTimestamp),
        };
    }

    /// <summary>
    /// A DaemonSet's pod template as the pod it runs on every node, named (namespace, name, uid) as its DaemonSet.
    /// </summary>
    public static PodRequest ToDaemonSetPod(V1DaemonSet daemonSet)
    {
        ArgumentNullException.ThrowIfNull(daemonSet);
        var owner = daemonSet.Metadata ?? new V1ObjectMeta();
        var template = daemonSet.Spec?.Template;
        var metadata = new V1ObjectMeta
        {
            Name = owner.Name,
            NamespaceProperty = owner.NamespaceProperty,
            Uid = owner.Uid,
            Labels = template?.Metadata?.Labels,
            Annotations = template?.Metadata?.Annotations,
        };
        return ToPodRequest(metadata, template?.Spec ?? new V1PodSpec());
    }

    public static PodRequest ToPodRequest(V1ObjectMeta metadata, V1PodSpec spec, long creationOrder = 0)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(spec);
        var ns = string.IsNullOrEmpty(metadata.NamespaceProperty) ? "default" : metadata.NamespaceProperty;
        var affinity = spec.Affinity;
        return new PodRequest
        {
            Namespace = ns,
            Name = metadata.Name ?? "",
            Uid = metadata.Uid ?? "",
            Labels = metadata.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata.Labels),
            Requests = Requests(spec),
            NodeSelector = spec.NodeSelector is null ? Requirements.Empty : Requirements.FromLabels(spec.NodeSelector),
            RequiredAffinity = affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms?
                .Select(SelectorConversions.ToRequirements).ToList() ?? [],
            PreferredAffinity = affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution?
                .Select(p => new WeightedTerm<Requirements>(p.Weight, SelectorConversions.ToRequirements(p.Preference))).ToList() ?? [],
            Tolerations = spec.Tolerations?.Select(SelectorConversions.ToToleration).ToList() ?? [],
            TopologySpread = spec.TopologySpreadConstraints?.Select(ToSpread).ToList() ?? [],
            RequiredPodAffinity = affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.Select(ToTerm).ToList() ?? [],
            PreferredPodAffinity = affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution?
                .Select(w => new WeightedTerm<PodAffinityTerm>(w.Weight, ToTerm(w.PodAffinityTerm))).ToList() ?? [],
            RequiredPodAntiAffinity = affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.Select(ToTerm).ToList() ?? [],
            PreferredPodAntiAffinity = affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution?
                .Select(w => new WeightedTerm<PodAffinityTerm>(w.Weight, ToTerm(w.PodAffinityTerm))).ToList() ?? [],
            HostPorts = HostPorts(spec),
            CreationOrder = creationOrder,
            DoNotEvict = metadata.Annotations?.TryGetValue(DoNotEvictAnnotation, out var v) == true && v == "true",
            SafeToEvict = (metadata.Annotations?.TryGetValue(SafeToEvictAnnotation, out var safe) == true ? safe : null) switch
            {
                "true" => true,
                "false" => false,
                _ => null,
            },
            HasLocalStorage = spec.Volumes?.Any(v => v.HostPath is not null || (v.EmptyDir is { } dir && dir.Medium != "Memory")) == true,
        };
    }

    /// <summary>Effective requests of a pod spec; a container with limits but no requests requests its limits.</summary>
    public static ResourceList Requests(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var sidecars = spec.InitContainers?.Where(c => c.RestartPolicy == "Always").Select(ContainerRequests) ?? [];
        var inits = spec.InitContainers?.Where(c => c.RestartPolicy != "Always").Select(ContainerRequests) ?? [];
        var overhead = spec.Overhead is null ? null : ToResourceList(spec.Overhead);
        return PodRequest.EffectiveRequests((spec.Containers ?? []).Select(ContainerRequests), inits, overhead, sidecars);
    }

    public static ResourceList ContainerRequests(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var requests = container.Resources?.Requests;
        var limits = container.Resources?.Limits;
        if (limits is null || limits.Count == 0 || requests is null || requests.Count == 0)
        {
            // Only one of the two says anything: it is the answer as it stands.
            return (limits is null || limits.Count == 0) && (requests is null || requests.Count == 0) ? ResourceList.Empty
                : ToResourceList(requests is null || requests.Count == 0 ? limits! : requests);
        }

        var merged = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        foreach (var (name, value) in limits)
        {
            merged[name] = value;
        }

        foreach (var (name, value) in requests)
        {
            merged[name] = value;
        }

        return ToResourceList(merged);
    }

    public static ResourceList ToResourceList(IDictionary<string, ResourceQuantity> quantities)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var pairs = new KeyValuePair<string, Quantity>[quantities.Count];
        var i = 0;
        foreach (var (name, value) in quantities)
        {
            pairs[i++] = KeyValuePair.Create(name, ToQuantity(name, value));
        }

        return ResourceList.Create(pairs);
    }

    private static Quantity ToQuantity(string name, ResourceQuantity? value)
    {
        if (value is not null && ExactMilli(value) is { } exact)
        {
            return exact;
        }

        if (!Quantity.TryParse(value?.ToString() ?? "0", out var quantity, out var error))
        {
            throw new FormatException($"resource {name}: {error}");
        }

        return quantity;
    }

    /// <summary>
    /// The quantity read from its value when that is a whole number of thousandths (every request, limit, capacity and
    /// allocatable the API server hands out in practice); null otherwise, and the quantity's text decides, rounding
    /// and errors included. Formatting that text (KubernetesClient's canonical form) was most of the cost of converting
    /// a node or a pod, so the watch loop reads the value where the result is the same.
    /// </summary>
    private static Quantity? ExactMilli(ResourceQuantity value)
    {
        decimal units;
        try
        {
            units = value.ToDecimal();
        }
        catch (OverflowException)
        {
            return null;
        }

        // Negative quantities keep the text route (the client's canonical text of one is not its value), as do values
        // near the limit of what a quantity holds, so that route's error stays the one reported.
        if (units < 0 || units > 1_000_000_000_000_000m)
        {
            return null;
        }

        var milli = units * 1000m;
        if (milli != decimal.Truncate(milli) || !((ResourceQuantity)units).Equals(value))
        {
            // Finer than a thousandth, or more digits than a decimal holds: the conversion above was not exact.
            return null;
        }

        return Quantity.FromMilli((long)milli);
    }

    private static DateTimeOffset? Utc(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    private static TopologySpreadConstraint ToSpread(V1TopologySpreadConstraint c) =>
        new(c.MaxSkew, Labels.Normalize(c.TopologyKey ?? ""), c.WhenUnsatisfiable != "ScheduleAnyway", SelectorConversions.ToLabelSelector(c.LabelSelector), c.MinDomains);

    private static PodAffinityTerm ToTerm(V1PodAffinityTerm term)
    {
        // An empty namespaceSelector ({}) selects every namespace; one with labels is resolved against the
        // namespaces' labels before packing (NamespaceSelectors.Resolve).
        var selector = term.NamespaceSelector;
        var allNamespaces = selector is not null && (selector.MatchLabels is null || selector.MatchLabels.Count == 0)
            && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0);
        return new PodAffinityTerm(
            SelectorConversions.ToLabelSelector(term.LabelSelector),
            Labels.Normalize(term.TopologyKey ?? ""),
            term.Namespaces?.ToList() ?? [],
            allNamespaces,
            selector is null || allNamespaces ? null : SelectorConversions.ToLabelSelector(selector));
    }

    private static List<HostPort> HostPorts(V1PodSpec spec)
    {
        var ports = new List<HostPort>();
        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.HostPort is > 0 and var hostPort)
                {
                    ports.Add(new HostPort(port.Protocol ?? "TCP", hostPort, port.HostIP ?? "0.0.0.0"));
                }
            }
        }

        return ports;
    }
}
