using Capstan.Core.Pods;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

internal sealed partial class PackingRun
{
    private readonly Dictionary<(string Key, LabelSelector Selector, string Namespace, string Namespaces, bool All, bool Exact), TopologyGroup> _topology = [];
    private readonly Dictionary<(PodAffinityTerm Term, string Namespace), OwnerGroup> _owners = [];

    private void InitTopology()
    {
        foreach (var group in _groups)
        {
            var pod = group.Sample;
            foreach (var variant in group.Variants)
            {
                variant.SpreadGroups = [.. variant.Spreads.Select(s => Topology(s.TopologyKey, s.Selector, pod.Namespace, [], false, false))];
                variant.AffinityGroups = [.. variant.Affinity.Select(t => Topology(t.TopologyKey, t.Selector, pod.Namespace, t.Namespaces, t.AllNamespaces, t.NamespaceSelector is not null))];
                variant.AntiGroups = [.. variant.AntiAffinity.Select(t => Topology(t.TopologyKey, t.Selector, pod.Namespace, t.Namespaces, t.AllNamespaces, t.NamespaceSelector is not null))];
            }
        }

        foreach (var group in _groups)
        {
            group.CountedBy.AddRange(_topology.Values.Where(t => t.Matches(group.Sample)));
        }

        foreach (var node in _nodes)
        {
            var target = new TargetDomains(node);
            foreach (var pod in node.View.Pods)
            {
                foreach (var t in _topology.Values)
                {
                    if (t.Matches(pod) && target.Value(t.Key) is { } domain)
                    {
                        t.Add(domain);
                    }
                }

                RecordOwner(pod, target);
            }
        }
    }

    private TopologyGroup Topology(string key, LabelSelector selector, string ownerNamespace, IReadOnlyList<string> namespaces, bool all, bool exact)
    {
        var id = (key, selector, ownerNamespace, string.Join(",", namespaces), all, exact);
        if (!_topology.TryGetValue(id, out var group))
        {
            group = new TopologyGroup(key, selector, ownerNamespace, namespaces, all, exact);
            _topology.Add(id, group);
        }

        return group;
    }

    private static TargetDomains NodeDomains(NodeState node) => new(node);

    private TargetDomains ClaimDomains(ClaimState claim) => new(claim, _claimZones);

    /// <summary>Zones where some option of an undecided claim has an available offering its requirements allow.</summary>
    private IReadOnlyList<string> ClaimZones(ClaimState claim)
    {
        var zones = new SortedSet<string>(StringComparer.Ordinal);
        var allowed = claim.Requirements.Get(Labels.Zone);
        var capacityTypes = claim.Requirements.Get(Labels.CapacityType);
        foreach (var t in claim.Options)
        {
            foreach (var o in _types[t].Offerings)
            {
                if (o.Available && (allowed?.Allows(o.Zone) ?? true) && (capacityTypes?.Allows(o.CapacityType) ?? true))
                {
                    zones.Add(o.Zone);
                }
            }
        }

        return [.. zones];
    }

    /// <summary>
    /// Whether spread, pod affinity and anti-affinity (both directions) allow the pod on the target; for a
    /// claim whose zone is still open, the zone to narrow it to.
    /// </summary>
    private bool TopologyAllows(int i, Variant variant, TargetDomains target, out string? zone)
    {
        zone = null;
        var group = variant.Group;
        var owners = SelectingOwners(group);
        if (variant.Spreads.Length == 0 && variant.Affinity.Length == 0 && variant.AntiAffinity.Length == 0 && owners.Count == 0)
        {
            return true;
        }

        foreach (var key in ConstrainedKeys(variant, owners))
        {
            var candidates = target.Candidates(key);
            if (candidates.Count == 0)
            {
                return false;
            }

            string? best = null;
            var bestRank = long.MaxValue;
            foreach (var domain in candidates)
            {
                if (!DomainAllowed(i, variant, owners, key, domain, out var rank))
                {
                    continue;
                }

                if (rank < bestRank || (rank == bestRank && string.CompareOrdinal(domain, best) < 0))
                {
                    best = domain;
                    bestRank = rank;
                }
            }

            if (best is null)
            {
                return false;
            }

            if (key == Labels.Zone && target.Value(key) is null)
            {
                zone = best;
            }
        }

        return true;
    }

    private static List<string> ConstrainedKeys(Variant variant, List<OwnerGroup> owners)
    {
        var keys = new List<string>(4);
        foreach (var s in variant.Spreads)
        {
            Include(keys, s.TopologyKey);
        }

        foreach (var t in variant.Affinity)
        {
            Include(keys, t.TopologyKey);
        }

        foreach (var t in variant.AntiAffinity)
        {
            Include(keys, t.TopologyKey);
        }

        foreach (var o in owners)
        {
            Include(keys, o.Term.TopologyKey);
        }

        return keys;

        static void Include(List<string> keys, string key)
        {
            if (!keys.Contains(key))
            {
                keys.Add(key);
            }
        }
    }

    /// <summary>Whether one domain passes every constraint on its key; rank orders acceptable domains (lower is better).</summary>
    private bool DomainAllowed(int i, Variant variant, List<OwnerGroup> owners, string key, string domain, out long rank)
    {
        rank = 0;
        var pod = _pods[i];
        for (var k = 0; k < variant.Spreads.Length; k++)
        {
            var spread = variant.Spreads[k];
            if (spread.TopologyKey != key)
            {
                continue;
            }

            var counts = variant.SpreadGroups[k];
            var min = key == Labels.Hostname ? 0 : MinCount(variant, counts, key);
            var count = counts.Count(domain);
            if (count + 1 - min > spread.MaxSkew)
            {
                return false;
            }

            rank = (rank * 1000) + count;
        }

        for (var k = 0; k < variant.Affinity.Length; k++)
        {
            var term = variant.Affinity[k];
            if (term.TopologyKey != key)
            {
                continue;
            }

            var counts = variant.AffinityGroups[k];
            var selfMatch = term.Selects(pod.Namespace, pod.Namespace, pod.Labels);
            if (counts.Count(domain) == 0 && !(counts.Total == 0 && selfMatch))
            {
                return false;
            }

            rank -= counts.Count(domain);
        }

        for (var k = 0; k < variant.AntiAffinity.Length; k++)
        {
            if (variant.AntiAffinity[k].TopologyKey == key && variant.AntiGroups[k].Count(domain) > 0)
            {
                return false;
            }
        }

        foreach (var owner in owners)
        {
            if (owner.Term.TopologyKey == key && owner.Domains.Contains(domain))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The smallest count over the domains the pod could go to (zones: where its offerings are, plus where matching pods already are).</summary>
    private int MinCount(Variant variant, TopologyGroup counts, string key)
    {
        IEnumerable<string> domains;
        if (key == Labels.Zone)
        {
            variant.EligibleZones ??= EligibleZones(variant);
            domains = variant.EligibleZones;
        }
        else
        {
            domains = counts.Counts.Keys;
        }

        var min = int.MaxValue;
        foreach (var d in domains)
        {
            min = Math.Min(min, counts.Count(d));
        }

        return min == int.MaxValue ? 0 : min;
    }

    private string[] EligibleZones(Variant variant)
    {
        var zones = new SortedSet<string>(StringComparer.Ordinal);
        for (var alt = 0; alt < variant.Alternatives.Length; alt++)
        {
            foreach (var provisioner in _provisioners)
            {
                var compat = Compat(variant, alt, provisioner);
                if (compat.Reason is null)
                {
                    zones.UnionWith(compat.Zones);
                }
            }

            foreach (var node in _nodes)
            {
                if (!node.Closed && node.View.Labels.TryGetValue(Labels.Zone, out var zone) && NodeAccepts(node, variant.Group, variant.Alternatives[alt]))
                {
                    zones.Add(zone);
                }
            }
        }

        return [.. zones];
    }

    private List<OwnerGroup> SelectingOwners(PodGroup group)
    {
        var list = new List<OwnerGroup>();
        foreach (var owner in _owners.Values)
        {
            if (owner.Domains.Count == 0)
            {
                continue;
            }

            if (!group.SelectedByOwner.TryGetValue(owner, out var selects))
            {
                selects = owner.Selects(group.Sample);
                group.SelectedByOwner[owner] = selects;
            }

            if (selects)
            {
                list.Add(owner);
            }
        }

        return list;
    }

    private void RecordPlacement(int i, TargetDomains target)
    {
        foreach (var t in _groupOf[i].CountedBy)
        {
            if (target.Value(t.Key) is { } domain)
            {
                t.Add(domain);
            }
        }

        RecordOwner(_pods[i], target);
    }

    private void RecordOwner(PodRequest pod, TargetDomains target)
    {
        foreach (var term in pod.RequiredPodAntiAffinity)
        {
            if (target.Value(term.TopologyKey) is not { } domain)
            {
                continue;
            }

            Owner(term, pod.Namespace).Domains.Add(domain);
        }
    }

    private OwnerGroup Owner(PodAffinityTerm term, string ownerNamespace)
    {
        if (!_owners.TryGetValue((term, ownerNamespace), out var owner))
        {
            owner = new OwnerGroup(term, ownerNamespace);
            _owners.Add((term, ownerNamespace), owner);
        }

        return owner;
    }

    /// <summary>A claim's zone was just decided: count the pods it already carries in that zone.</summary>
    private void RecordZoneNarrowing(ClaimState claim, string zone)
    {
        foreach (var p in claim.Pods)
        {
            foreach (var t in _groupOf[p].CountedBy)
            {
                if (t.Key == Labels.Zone)
                {
                    t.Add(zone);
                }
            }

            foreach (var term in _pods[p].RequiredPodAntiAffinity)
            {
                if (term.TopologyKey == Labels.Zone)
                {
                    Owner(term, _pods[p].Namespace).Domains.Add(zone);
                }
            }
        }
    }

    private static string TopologyReason(Variant variant)
    {
        var parts = variant.Spreads.Select(s => s.ToString())
            .Concat(variant.Affinity.Select(t => $"pod affinity {t}"))
            .Concat(variant.AntiAffinity.Select(t => $"pod anti-affinity {t}"))
            .ToList();
        return parts.Count == 0
            ? "another pod's anti-affinity keeps it out of every domain"
            : "no topology domain satisfies " + string.Join("; ", parts);
    }
}
