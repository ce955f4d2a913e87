using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Packing.Internal;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

internal sealed partial class PackingRun
{
    /// <summary>Resource names anybody requests, plus cpu, memory and pods: the dimensions of every vector.</summary>
    private static string[] CollectDimensions(Snapshot snapshot)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal) { ResourceNames.Cpu, ResourceNames.Memory, ResourceNames.Pods };
        foreach (var pod in snapshot.PendingPods.Concat(snapshot.DaemonSets))
        {
            foreach (var name in pod.Requests.Names)
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    /// <summary>Every instance type any provisioner may use, ordered by cheapest available offering, then name.</summary>
    private static InstanceType[] CollectTypes(Snapshot snapshot)
    {
        var all = new HashSet<InstanceType>(ReferenceEqualityComparer.Instance);
        foreach (var p in snapshot.Provisioners)
        {
            all.UnionWith(p.InstanceTypes ?? snapshot.InstanceTypes);
        }

        return [.. all.OrderBy(t => t.CheapestOffering(Requirements.Empty)?.PricePerHour ?? double.MaxValue).ThenBy(t => t.Name, StringComparer.Ordinal)];
    }

    private ProvisionerModel BuildProvisioner(ProvisionerState state, int index)
    {
        var provisioner = state.Provisioner;
        var nodeRequirements = provisioner.NodeRequirements();
        var own = new HashSet<InstanceType>(state.InstanceTypes ?? _snapshot.InstanceTypes, ReferenceEqualityComparer.Instance);
        var daemons = _snapshot.DaemonSets
            .Where(d => Toleration.FirstUntolerated(provisioner.Taints, d.Tolerations) is null && DaemonRequirements(d).Any(r => nodeRequirements.IsCompatible(r)))
            .ToList();
        var types = new List<int>();
        var overhead = new long[]?[_types.Length];
        for (var t = 0; t < _types.Length; t++)
        {
            var type = _types[t];
            if (!own.Contains(type) || !type.Requirements.Intersects(nodeRequirements) || type.CheapestOffering(nodeRequirements) is null)
            {
                continue;
            }

            var sum = new long[_dims.Length];
            foreach (var daemon in daemons)
            {
                if (DaemonRequirements(daemon).Any(r => type.Requirements.Intersects(r)))
                {
                    Add(sum, Vector(daemon.Requests));
                }
            }

            overhead[t] = sum;
            types.Add(t);
        }

        string[] limitNames = provisioner.Limits is { } limits ? [.. limits.Names] : [];
        long[]? remaining = null;
        var limitCapacity = new long[]?[_types.Length];
        if (provisioner.Limits is { } l)
        {
            remaining = [.. limitNames.Select(n => VectorMilli(l.Get(n) - state.Usage.Get(n)))];
            foreach (var t in types)
            {
                limitCapacity[t] = [.. limitNames.Select(n => VectorMilli(_types[t].Capacity.Get(n)))];
            }
        }

        return new ProvisionerModel
        {
            Index = index,
            Provisioner = provisioner,
            NodeRequirements = nodeRequirements,
            Types = [.. types],
            Overhead = overhead,
            LimitNames = limitNames,
            LimitRemaining = remaining,
            LimitCapacity = limitCapacity,
        };
    }

    private static IEnumerable<Requirements> DaemonRequirements(PodRequest daemon) =>
        daemon.RequiredAffinity.Count == 0
            ? [daemon.NodeSelector]
            : daemon.RequiredAffinity.Select(term => daemon.NodeSelector.Intersect(term));

    private NodeState BuildNode(NodeView view, int index)
    {
        var free = Vector(view.Allocatable.Subtract(view.Requested()));
        var ports = view.Pods.SelectMany(p => p.HostPorts).ToList();
        // A node in flight still carries the taints its registration removes: the not-ready family and its
        // provisioner's startup taints. Pods bound to it need not tolerate those.
        var startup = view.InFlight && view.ProvisionerName is { } owner
            ? _snapshot.Provisioners.FirstOrDefault(p => p.Provisioner.Name == owner)?.Provisioner.StartupTaints ?? []
            : [];
        var taints = view.Taints
            .Where(t => !(view.InFlight && (Labels.NotReadyTaints.Contains(t.Key) || startup.Any(s => s.Key == t.Key && s.Effect == t.Effect))))
            .ToArray();
        return new NodeState
        {
            Index = index,
            View = view,
            Free = free,
            Ports = ports,
            Taints = taints,
            Closed = view.Unschedulable || view.MarkedForDeletion || view.DisruptionCandidate,
        };
    }

    private void BuildGroups()
    {
        var byKey = new Dictionary<ConstraintKey, PodGroup>();
        for (var i = 0; i < _pods.Length; i++)
        {
            var key = new ConstraintKey(_pods[i]);
            if (!byKey.TryGetValue(key, out var group))
            {
                group = new PodGroup { Id = _groups.Count, Sample = _pods[i] };
                group.Variants = BuildVariants(group);
                byKey.Add(key, group);
                _groups.Add(group);
            }

            _indexInGroup[i] = group.Positions.Count;
            group.Positions.Add(i);
            group.Remaining++;
            _groupOf[i] = group;
        }

        foreach (var group in _groups)
        {
            group.SuffixMinCpu = GroupSuffixMin(group, _cpu);
            group.SuffixMinMemory = GroupSuffixMin(group, _memory);
        }
    }

    private long[] GroupSuffixMin(PodGroup group, int dim)
    {
        var result = new long[group.Positions.Count];
        var min = long.MaxValue;
        for (var k = group.Positions.Count - 1; k >= 0; k--)
        {
            min = Math.Min(min, dim >= 0 ? _requests[group.Positions[k]][dim] : 0);
            result[k] = min;
        }

        return result;
    }

    /// <summary>
    /// Relaxation levels in Karpenter's order: everything first; then preferred pod affinity, preferred pod
    /// anti-affinity and preferred node affinity terms dropped one at a time, lightest first; then the
    /// ScheduleAnyway spreads.
    /// </summary>
    private Variant[] BuildVariants(PodGroup group)
    {
        var pod = group.Sample;
        var affinity = pod.PreferredPodAffinity.OrderByDescending(w => w.Weight).ToList();
        var anti = pod.PreferredPodAntiAffinity.OrderByDescending(w => w.Weight).ToList();
        var preferred = pod.PreferredAffinity.OrderByDescending(w => w.Weight).ToList();
        var soft = true;
        var relaxed = new List<string>();
        var variants = new List<Variant> { MakeVariant(group, affinity, anti, preferred, soft, relaxed) };
        while (affinity.Count > 0)
        {
            relaxed.Add($"preferred pod affinity {affinity[^1].Term}");
            affinity.RemoveAt(affinity.Count - 1);
            variants.Add(MakeVariant(group, affinity, anti, preferred, soft, relaxed));
        }

        while (anti.Count > 0)
        {
            relaxed.Add($"preferred pod anti-affinity {anti[^1].Term}");
            anti.RemoveAt(anti.Count - 1);
            variants.Add(MakeVariant(group, affinity, anti, preferred, soft, relaxed));
        }

        while (preferred.Count > 0)
        {
            relaxed.Add($"preferred node affinity {preferred[^1].Term}");
            preferred.RemoveAt(preferred.Count - 1);
            variants.Add(MakeVariant(group, affinity, anti, preferred, soft, relaxed));
        }

        if (pod.TopologySpread.Any(s => !s.DoNotSchedule))
        {
            relaxed.Add("ScheduleAnyway topology spread");
            variants.Add(MakeVariant(group, affinity, anti, preferred, soft: false, relaxed));
        }

        return [.. variants];
    }

    private Variant MakeVariant(
        PodGroup group,
        List<WeightedTerm<PodAffinityTerm>> affinity,
        List<WeightedTerm<PodAffinityTerm>> anti,
        List<WeightedTerm<Requirements>> preferred,
        bool soft,
        List<string> relaxed)
    {
        var pod = group.Sample;
        var basis = pod.NodeSelector;
        foreach (var p in preferred)
        {
            basis = basis.Intersect(p.Term);
        }

        Requirements[] alternatives = pod.RequiredAffinity.Count == 0
            ? [basis]
            : [.. pod.RequiredAffinity.Select(basis.Intersect)];
        var spreads = pod.TopologySpread.Where(s => s.DoNotSchedule || soft).ToArray();
        PodAffinityTerm[] affinityTerms = [.. pod.RequiredPodAffinity, .. affinity.Select(w => w.Term)];
        PodAffinityTerm[] antiTerms = [.. pod.RequiredPodAntiAffinity, .. anti.Select(w => w.Term)];
        var maxPerNode = pod.HostPorts.Count > 0 ? 1 : int.MaxValue;
        foreach (var term in antiTerms)
        {
            if (term.TopologyKey == Labels.Hostname && term.Selects(pod.Namespace, pod.Namespace, pod.Labels))
            {
                maxPerNode = 1;
            }
        }

        foreach (var s in spreads)
        {
            if (s.TopologyKey == Labels.Hostname && s.Selector.Matches(pod.Labels))
            {
                maxPerNode = Math.Min(maxPerNode, s.MaxSkew);
            }
        }

        return new Variant
        {
            Group = group,
            Alternatives = alternatives,
            Spreads = spreads,
            Affinity = affinityTerms,
            AntiAffinity = antiTerms,
            MaxPerNode = maxPerNode,
            Relaxed = string.Join(", ", relaxed),
            Compat = new AltCompat?[alternatives.Length, _provisioners.Length],
            FirstCandidate = new int[alternatives.Length],
            TopologyRejectionLasts = affinityTerms.Length == 0 && spreads.All(s => s.TopologyKey == Labels.Hostname),
            NodeFit = [.. alternatives.Select(_ => new sbyte[_nodes.Length])],
        };
    }

    /// <summary>How an alternative of a pod group meets a provisioner (computed once, then cached).</summary>
    private AltCompat Compat(Variant variant, int alt, ProvisionerModel provisioner)
    {
        if (variant.Compat[alt, provisioner.Index] is { } cached)
        {
            return cached;
        }

        var compat = BuildCompat(variant.Group, variant.Alternatives[alt], provisioner);
        variant.Compat[alt, provisioner.Index] = compat;
        return compat;
    }

    private AltCompat BuildCompat(PodGroup group, Requirements podRequirements, ProvisionerModel provisioner)
    {
        var p = provisioner.Provisioner;
        if (Toleration.FirstUntolerated(p.Taints, group.Tolerations) is { } taint)
        {
            return new AltCompat { Reason = $"taint {taint} is not tolerated" };
        }

        if (provisioner.NodeRequirements.Incompatibility(podRequirements) is { } incompatible)
        {
            return new AltCompat { Reason = incompatible };
        }

        var merged = provisioner.NodeRequirements.Intersect(podRequirements);
        var types = new List<int>();
        var set = new bool[_types.Length];
        var price = new double[_types.Length];
        Array.Fill(price, double.NaN);
        var zones = new SortedSet<string>(StringComparer.Ordinal);
        var largest = new long[_dims.Length];
        var zoneRequirement = merged.Get(Labels.Zone);
        var capacityTypes = merged.Get(Labels.CapacityType);
        foreach (var t in provisioner.Types)
        {
            var type = _types[t];
            if (!type.Requirements.Intersects(merged) || type.CheapestOffering(merged) is not { } offering)
            {
                continue;
            }

            var room = Room(provisioner, t);
            for (var d = 0; d < room.Length; d++)
            {
                largest[d] = Math.Max(largest[d], room[d]);
            }

            types.Add(t);
            set[t] = true;
            price[t] = offering.PricePerHour;
            foreach (var o in type.Offerings)
            {
                if (o.Available && (zoneRequirement?.Allows(o.Zone) ?? true) && (capacityTypes?.Allows(o.CapacityType) ?? true))
                {
                    zones.Add(o.Zone);
                }
            }
        }

        if (types.Count == 0)
        {
            return new AltCompat { Reason = $"no instance type with an available offering meets the requirements [{merged}]" };
        }

        return new AltCompat
        {
            Merged = merged,
            Types = [.. types],
            TypeSet = set,
            Price = price,
            Zones = [.. zones],
            LargestRoom = largest,
            SizingCandidates = SizingCandidates(types, price),
        };
    }

    /// <summary>What a node of this type offers pods once the provisioner's daemonsets are counted.</summary>
    private long[] Room(ProvisionerModel provisioner, int t)
    {
        var room = (long[])_alloc[t].Clone();
        Subtract(room, provisioner.Overhead[t]!);
        return room;
    }

    /// <summary>The reason no allowed type can hold a pod: the first resource it needs more of than any type offers.</summary>
    private string TooBigReason(int i, AltCompat compat)
    {
        var request = _requests[i];
        for (var d = 0; d < request.Length; d++)
        {
            if (request[d] > compat.LargestRoom[d])
            {
                var name = _dims[d];
                return $"no instance type has enough {name} (the pod needs {ResourceNames.FormatReadable(name, Quantity.FromMilli(request[d]))}, "
                    + $"the largest allowed type offers {ResourceNames.FormatReadable(name, Quantity.FromMilli(compat.LargestRoom[d]))} after overhead)";
            }
        }

        return "no single instance type has room for all of its requests at once";
    }

    /// <summary>Types not dominated (cpu, memory and pod slots) by a type that costs no more.</summary>
    private int[] SizingCandidates(List<int> types, double[] price)
    {
        var pods = Array.IndexOf(_dims, ResourceNames.Pods);
        var ordered = types.OrderBy(t => price[t]).ThenByDescending(t => _cpu >= 0 ? _alloc[t][_cpu] : 0).ToList();
        var front = new List<int>();
        foreach (var t in ordered)
        {
            var dominated = false;
            foreach (var f in front)
            {
                if ((_cpu < 0 || _alloc[f][_cpu] >= _alloc[t][_cpu]) && (_memory < 0 || _alloc[f][_memory] >= _alloc[t][_memory])
                    && (pods < 0 || _alloc[f][pods] >= _alloc[t][pods]))
                {
                    dominated = true;
                    break;
                }
            }

            if (!dominated)
            {
                front.Add(t);
            }
        }

        return [.. front];
    }
}
