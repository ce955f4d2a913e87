using Capstan.Core.Resources;

namespace Capstan.Core.Packing;

internal sealed partial class PackingRun
{
    private Plan Finish()
    {
        ReplanUniformClaims();
        var claims = new List<NodeClaimPlan>(_claims.Count);
        double total = 0;
        foreach (var claim in _claims)
        {
            var plan = FinishClaim(claim);
            total += plan.Cheapest.Offering.PricePerHour;
            claims.Add(plan);
        }

        var existing = _nodes.Where(n => n.Placed.Count > 0)
            .Select(n => new ExistingNodePlacement(n.View.Name, [.. n.Placed.Select(p => _pods[p])]))
            .ToList();
        var unschedulable = Enumerable.Range(0, _pods.Length)
            .Where(i => _placedOnNode[i] < 0 && _placedOnClaim[i] is null)
            .Select(i => new UnschedulablePod(_pods[i], _reasons[i] ?? "no node can take it"))
            .ToList();
        return new Plan
        {
            NodeClaims = claims,
            ExistingNodes = existing,
            Unschedulable = unschedulable,
            TotalPricePerHour = Math.Round(total, 6),
            LowerBoundPricePerHour = Math.Round(LowerBound(), 6),
        };
    }

    private NodeClaimPlan FinishClaim(ClaimState claim)
    {
        var provisioner = claim.Provisioner;
        var ranked = claim.Options
            .Where(t => claim.LimitReserved is not { } reserved || Fits(provisioner.LimitCapacity[t]!, reserved))
            .Select(t => (Type: t, Offering: _types[t].CheapestOffering(claim.Requirements)))
            .Where(o => o.Offering is not null)
            .OrderBy(o => o.Offering!.PricePerHour)
            .ThenBy(o => _types[o.Type].Name, StringComparer.Ordinal)
            .Take(_snapshot.Options.MaxInstanceTypes)
            .ToList();
        var chosen = ranked[0].Type;
        var requests = (long[])claim.Used.Clone();
        Add(requests, provisioner.Overhead[chosen]!);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in claim.Requirements.SingleValuedLabels())
        {
            labels[key] = value;
        }

        foreach (var (key, value) in provisioner.Provisioner.Labels)
        {
            labels[key] = value;
        }

        return new NodeClaimPlan
        {
            Name = claim.Name,
            Provisioner = provisioner.Name,
            InstanceTypeOptions = [.. ranked.Select(o => new InstanceTypeOption(_types[o.Type], o.Offering!))],
            Requirements = claim.Requirements,
            Labels = labels,
            Taints = provisioner.Provisioner.Taints,
            StartupTaints = provisioner.Provisioner.StartupTaints,
            Pods = [.. claim.Pods.Select(p => _pods[p])],
            Requests = ToList(requests),
        };
    }

    /// <summary>The LP bound over the pods given to new claims and the types of the provisioners that launch them.</summary>
    private double LowerBound()
    {
        if (_claims.Count == 0 || (_cpu < 0 && _memory < 0))
        {
            return 0;
        }

        double demandCpu = 0, demandMemory = 0;
        foreach (var claim in _claims)
        {
            foreach (var p in claim.Pods)
            {
                demandCpu += _cpu >= 0 ? _requests[p][_cpu] : 0;
                demandMemory += _memory >= 0 ? _requests[p][_memory] : 0;
            }
        }

        var used = _claims.Select(c => c.Provisioner).Distinct().ToList();
        var (cpu, memory, price) = TypeVectors(used.SelectMany(p => p.Types.Select(t => (p, t))));
        return LpBound.Solve(demandCpu, demandMemory, cpu, memory, price).Cost;
    }

    private ResourceList ToList(long[] vector)
    {
        var entries = new List<KeyValuePair<string, Quantity>>();
        for (var d = 0; d < vector.Length; d++)
        {
            if (vector[d] != 0)
            {
                entries.Add(KeyValuePair.Create(_dims[d], Quantity.FromMilli(vector[d])));
            }
        }

        return ResourceList.Create(entries);
    }
}
