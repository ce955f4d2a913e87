using System.Globalization;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

internal sealed partial class PackingRun
{
    /// <summary>
    /// Cost-aware sizing's last step: the claims that carry nothing but identical pods free of placement rules
    /// (no spread, no pod affinity or anti-affinity either way, no host ports) are bought again as the cheapest
    /// fleet for that many pods. For identical pods that fleet is exact: a node of type t holds k_t of them,
    /// and the least price of nodes holding N is a coin-change table over the count. Claims sharing a
    /// provisioner, requirements and pod shape are re-planned together; the new fleet replaces them only when it
    /// is cheaper (and still within the provisioner's limits). Mixed claims keep what the packing gave them.
    /// </summary>
    private void ReplanUniformClaims()
    {
        if (_snapshot.Options.Sizing != SizingStrategy.CostAware || _claims.Count == 0)
        {
            return;
        }

        var free = new sbyte[_groups.Count];
        var classes = new Dictionary<(int Provisioner, Requirements Requirements, string Shape), List<ClaimState>>();
        var order = new List<(int Provisioner, Requirements Requirements, string Shape)>();
        foreach (var claim in _claims)
        {
            if (UniformShape(claim, free) is not { } shape)
            {
                continue;
            }

            var key = (claim.Provisioner.Index, claim.Requirements, shape);
            if (!classes.TryGetValue(key, out var list))
            {
                list = [];
                classes.Add(key, list);
                order.Add(key);
            }

            list.Add(claim);
        }

        var replaced = new Dictionary<ClaimState, List<ClaimState>>(ReferenceEqualityComparer.Instance);
        foreach (var key in order)
        {
            var members = classes[key];
            if (Replan(members) is { } fleet)
            {
                replaced[members[0]] = fleet;
                for (var m = 1; m < members.Count; m++)
                {
                    replaced[members[m]] = [];
                }
            }
        }

        if (replaced.Count == 0)
        {
            return;
        }

        var claims = new List<ClaimState>(_claims.Count);
        foreach (var claim in _claims)
        {
            if (replaced.TryGetValue(claim, out var fleet))
            {
                claims.AddRange(fleet);
            }
            else
            {
                claims.Add(claim);
            }
        }

        _claims.Clear();
        _claims.AddRange(claims);
        for (var c = 0; c < _claims.Count; c++)
        {
            _claims[c].Name = ClaimName(_claims[c].Provisioner, c);
            foreach (var p in _claims[c].Pods)
            {
                _placedOnClaim[p] = _claims[c];
            }
        }
    }

    private string ClaimName(ProvisionerModel provisioner, int index) =>
        $"{_snapshot.Options.ClaimNamePrefix}{provisioner.Name}-{(index + 1).ToString("D3", CultureInfo.InvariantCulture)}";

    /// <summary>The pods' common request (as text) when the claim carries only identical pods free of placement rules; else null.</summary>
    private string? UniformShape(ClaimState claim, sbyte[] free)
    {
        if (claim.Pods.Count == 0)
        {
            return null;
        }

        var first = _requests[claim.Pods[0]];
        foreach (var p in claim.Pods)
        {
            if (!IsFree(_groupOf[p], free) || !_requests[p].AsSpan().SequenceEqual(first))
            {
                return null;
            }
        }

        return string.Join(',', first);
    }

    /// <summary>Whether where the group's pods go matters to no rule: their own or any other pod's (cached per group).</summary>
    private bool IsFree(PodGroup group, sbyte[] free)
    {
        if (free[group.Id] == 0)
        {
            var pod = group.Sample;
            var ok = pod.TopologySpread.Count == 0 && pod.RequiredPodAffinity.Count == 0 && pod.PreferredPodAffinity.Count == 0
                && pod.RequiredPodAntiAffinity.Count == 0 && pod.PreferredPodAntiAffinity.Count == 0 && pod.HostPorts.Count == 0
                && group.CountedBy.Count == 0 && !_owners.Values.Any(o => o.Selects(pod));
            free[group.Id] = (sbyte)(ok ? 1 : -1);
        }

        return free[group.Id] > 0;
    }

    /// <summary>The cheapest fleet for the members' pods when it beats what they cost now; else null.</summary>
    private List<ClaimState>? Replan(List<ClaimState> members)
    {
        var sample = members[0];
        var provisioner = sample.Provisioner;
        var requirements = sample.Requirements;
        var request = _requests[sample.Pods[0]];
        var pods = members.SelectMany(c => c.Pods).Order().ToList();
        var count = pods.Count;

        // Every type the claims could be launched as, with how many of the pods one node holds.
        // (The opener's compatibility already knows them when the claim's requirements are still its own.)
        var allowed = new List<(int Type, int PerNode, double Price)>();
        var compat = sample.Opener is { } opener && opener.Merged.Equals(requirements) ? opener : null;
        foreach (var t in compat?.Types ?? provisioner.Types)
        {
            double price;
            if (compat is not null)
            {
                price = compat.Price[t];
            }
            else if (_types[t].Requirements.Intersects(requirements) && _types[t].CheapestOffering(requirements) is { } offering)
            {
                price = offering.PricePerHour;
            }
            else
            {
                continue;
            }

            var perNode = PerNode(request, provisioner.Overhead[t]!, _alloc[t], count);
            if (perNode > 0)
            {
                allowed.Add((t, perNode, price));
            }
        }

        // Only a type no roomier type undercuts can be in a cheapest fleet: roomiest first, keep the price drops.
        var front = new List<(int Type, int PerNode, double Price)>();
        foreach (var a in allowed.OrderByDescending(a => a.PerNode).ThenBy(a => a.Price).ThenBy(a => a.Type))
        {
            if (front.Count == 0 || a.Price < front[^1].Price)
            {
                front.Add(a);
            }
        }

        if (front.Count == 0)
        {
            return null;
        }

        // best[n]: least price of nodes holding n pods; last[n]: the front entry bought last for it.
        var best = new double[count + 1];
        var last = new int[count + 1];
        for (var n = 1; n <= count; n++)
        {
            best[n] = double.PositiveInfinity;
            for (var f = 0; f < front.Count; f++)
            {
                var cost = front[f].Price + best[Math.Max(0, n - front[f].PerNode)];
                if (cost < best[n])
                {
                    best[n] = cost;
                    last[n] = f;
                }
            }
        }

        var prices = new double[_types.Length];
        Array.Fill(prices, double.NaN);
        foreach (var a in allowed)
        {
            prices[a.Type] = a.Price;
        }

        var current = members.Sum(c => ClaimPrice(c, prices));
        if (best[count] >= current - 1e-7)
        {
            return null;
        }

        var sizes = new List<(int PerNode, int Type)>();
        for (var n = count; n > 0; n -= front[last[n]].PerNode)
        {
            sizes.Add((front[last[n]].PerNode, front[last[n]].Type));
        }

        sizes.Sort((a, b) => a.PerNode != b.PerNode ? b.PerNode.CompareTo(a.PerNode) : a.Type.CompareTo(b.Type));
        var fleet = new List<ClaimState>(sizes.Count);
        var next = 0;
        foreach (var (size, _) in sizes)
        {
            var take = Math.Min(size, count - next);
            var used = new long[_dims.Length];
            for (var d = 0; d < used.Length; d++)
            {
                used[d] = request[d] * take;
            }

            var options = allowed.Where(a => FitsWith(used, provisioner.Overhead[a.Type]!, _alloc[a.Type])).Select(a => a.Type).ToList();
            var claim = new ClaimState
            {
                Id = -1,
                Name = "",
                Provisioner = provisioner,
                Requirements = requirements,
                Used = used,
                Options = options,
                Closed = true,
            };
            claim.Merged.UnionWith(sample.Merged);
            claim.Pods.AddRange(pods.GetRange(next, take));
            next += take;
            fleet.Add(claim);
        }

        return WithinLimits(provisioner, members, fleet, [.. sizes.Select(s => s.Type)]) ? fleet : null;
    }

    /// <summary>Copies of <paramref name="request"/> that fit in the allocatable less the overhead, at most <paramref name="count"/>.</summary>
    private static int PerNode(long[] request, long[] overhead, long[] allocatable, int count)
    {
        long perNode = count;
        for (var d = 0; d < request.Length; d++)
        {
            if (request[d] > 0)
            {
                perNode = Math.Min(perNode, Math.Max(0, allocatable[d] - overhead[d]) / request[d]);
            }
        }

        return (int)perNode;
    }

    /// <summary>
    /// What a claim will cost when the plan is final: its cheapest option within its reservation
    /// (<paramref name="prices"/>: each allowed type's price under the claim's requirements, by global index).
    /// </summary>
    private double ClaimPrice(ClaimState claim, double[] prices)
    {
        var price = double.PositiveInfinity;
        foreach (var t in claim.Options)
        {
            if (claim.LimitReserved is { } reserved && !Fits(claim.Provisioner.LimitCapacity[t]!, reserved))
            {
                continue;
            }

            var own = prices[t];
            if (double.IsNaN(own))
            {
                own = _types[t].CheapestOffering(claim.Requirements)?.PricePerHour ?? double.PositiveInfinity;
            }

            price = Math.Min(price, own);
        }

        return price;
    }

    /// <summary>
    /// Whether the new fleet's reservations fit in what the old claims held back plus what the provisioner
    /// has left; if so the reservations move over. A claim first reserves the most of any option it has (as
    /// the packing does); when the fleet does not fit that way, each claim keeps only the options no larger
    /// in the limited resources than the type it was planned as.
    /// </summary>
    private bool WithinLimits(ProvisionerModel provisioner, List<ClaimState> members, List<ClaimState> fleet, List<int> planned)
    {
        if (provisioner.LimitRemaining is not { } remaining)
        {
            return true;
        }

        var headroom = (long[])remaining.Clone();
        foreach (var claim in members)
        {
            if (claim.LimitReserved is { } reserved)
            {
                Add(headroom, reserved);
            }
        }

        foreach (var capped in (ReadOnlySpan<bool>)[false, true])
        {
            var left = (long[])headroom.Clone();
            var options = new List<int>[fleet.Count];
            var reserved = new long[fleet.Count][];
            var fits = true;
            for (var c = 0; c < fleet.Count && fits; c++)
            {
                var plannedCapacity = provisioner.LimitCapacity[planned[c]]!;
                options[c] = capped ? fleet[c].Options.FindAll(t => Fits(provisioner.LimitCapacity[t]!, plannedCapacity)) : fleet[c].Options;
                reserved[c] = Reservation(provisioner, options[c]);
                fits = Fits(reserved[c], left);
                if (fits)
                {
                    Subtract(left, reserved[c]);
                }
            }

            if (fits)
            {
                for (var c = 0; c < fleet.Count; c++)
                {
                    fleet[c].Options = options[c];
                    fleet[c].LimitReserved = reserved[c];
                }

                Array.Copy(left, remaining, left.Length);
                return true;
            }
        }

        return false;
    }
}
