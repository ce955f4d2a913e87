using System.Globalization;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>One execution of the packing core over a snapshot (see <see cref="Packer"/> for the algorithm).</summary>
internal sealed partial class PackingRun
{
    private const int MaxSizingScan = 512;
    private const int MaxSizingMisses = 48;

    private static readonly string[] s_ephemeralTaints =
    [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.cloudprovider.kubernetes.io/uninitialized",
    ];

    private readonly Snapshot _snapshot;
    private readonly string[] _dims;
    private readonly int _cpu;
    private readonly int _memory;
    private readonly PodRequest[] _pods;
    private readonly long[][] _requests;
    private readonly PodGroup[] _groupOf;
    private readonly List<PodGroup> _groups = [];
    private readonly InstanceType[] _types;
    private readonly long[][] _alloc;
    private readonly ProvisionerModel[] _provisioners;
    private readonly NodeState[] _nodes;
    private readonly List<ClaimState> _claims = [];
    private readonly List<ClaimState> _openClaims = [];
    private readonly long[] _suffixMinCpu;
    private readonly long[] _suffixMinMemory;
    private readonly string?[] _reasons;
    private readonly int[] _placedOnNode;
    private readonly ClaimState?[] _placedOnClaim;
    private double _valueCpu;
    private double _valueMemory;

    public PackingRun(Snapshot snapshot)
    {
        _snapshot = snapshot;
        _pods = [.. snapshot.PendingPods.OrderByDescending(p => p.Requests.Cpu).ThenByDescending(p => p.Requests.Memory)
            .ThenBy(p => p.CreationOrder).ThenBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)];
        _dims = CollectDimensions(snapshot);
        _cpu = Array.IndexOf(_dims, ResourceNames.Cpu);
        _memory = Array.IndexOf(_dims, ResourceNames.Memory);
        _requests = [.. _pods.Select(p => Vector(p.Requests))];
        _types = CollectTypes(snapshot);
        _alloc = [.. _types.Select(t => Vector(t.Allocatable))];
        _provisioners = [.. snapshot.Provisioners
            .OrderByDescending(p => p.Provisioner.Weight).ThenBy(p => p.Provisioner.Name, StringComparer.Ordinal)
            .Select((p, i) => BuildProvisioner(p, i))];
        _nodes = [.. snapshot.Nodes.Select(BuildNode)];
        _groupOf = new PodGroup[_pods.Length];
        BuildGroups();
        _suffixMinCpu = SuffixMin(_cpu);
        _suffixMinMemory = SuffixMin(_memory);
        _reasons = new string?[_pods.Length];
        _placedOnNode = Enumerable.Repeat(-1, _pods.Length).ToArray();
        _placedOnClaim = new ClaimState?[_pods.Length];
        InitTopology();
    }

    public Plan Run()
    {
        ComputeValuation();
        var pending = Enumerable.Range(0, _pods.Length).ToList();
        for (var pass = 0; pass < 3 && pending.Count > 0; pass++)
        {
            var failed = new List<int>();
            foreach (var i in pending)
            {
                if (!Place(i))
                {
                    failed.Add(i);
                }
            }

            if (failed.Count == pending.Count)
            {
                break;
            }

            pending = failed;
        }

        return Finish();
    }

    private bool Place(int i)
    {
        var group = _groupOf[i];
        string? reason = null;
        foreach (var variant in group.Variants)
        {
            for (var alt = 0; alt < variant.Alternatives.Length; alt++)
            {
                if (TryExistingNodes(i, variant, alt) || TryOpenClaims(i, variant, alt) || TryNewClaim(i, variant, alt, out reason))
                {
                    _reasons[i] = null;
                    return true;
                }
            }
        }

        _reasons[i] = reason ?? "no node can take it";
        return false;
    }

    private bool TryExistingNodes(int i, Variant variant, int alt)
    {
        var request = _requests[i];
        var fit = variant.NodeFit[alt];
        foreach (var node in _nodes)
        {
            if (node.Closed || !Fits(request, node.Free))
            {
                continue;
            }

            if (fit[node.Index] == 0)
            {
                fit[node.Index] = (sbyte)(NodeAccepts(node, _groupOf[i], variant.Alternatives[alt]) ? 1 : -1);
            }

            if (fit[node.Index] < 0 || PortsConflict(_pods[i].HostPorts, node.Ports))
            {
                continue;
            }

            if (!TopologyAllows(i, variant, NodeDomains(node), out _))
            {
                continue;
            }

            Subtract(node.Free, request);
            node.Ports.AddRange(_pods[i].HostPorts);
            node.Placed.Add(i);
            _placedOnNode[i] = node.Index;
            RecordPlacement(i, NodeDomains(node));
            if (node.Free[_cpu >= 0 ? _cpu : 0] <= 0)
            {
                node.Closed = true;
            }

            return true;
        }

        return false;
    }

    private static bool NodeAccepts(NodeState node, PodGroup group, Requirements requirements)
    {
        if (Toleration.FirstUntolerated(node.Taints, group.Tolerations) is not null)
        {
            return false;
        }

        foreach (var r in requirements)
        {
            if (node.View.Labels.TryGetValue(r.Key, out var value) ? !r.Allows(value) : !r.AllowsAbsent)
            {
                return false;
            }
        }

        return true;
    }

    private bool TryOpenClaims(int i, Variant variant, int alt)
    {
        var request = _requests[i];
        for (var c = 0; c < _openClaims.Count; c++)
        {
            var claim = _openClaims[c];
            if (claim.Closed)
            {
                _openClaims.RemoveAt(c--);
                continue;
            }

            if (claim.Cap is { } cap && !FitsWith(claim.Used, request, cap))
            {
                continue;
            }

            var compat = Compat(variant, alt, claim.Provisioner);
            if (compat.Reason is not null)
            {
                continue;
            }

            if (!claim.Merged.Contains(variant.Alternatives[alt]) && claim.Requirements.FirstConflict(compat.Merged) is not null)
            {
                continue;
            }

            if (PortsConflict(_pods[i].HostPorts, claim.Ports))
            {
                continue;
            }

            if (!TopologyAllows(i, variant, ClaimDomains(claim), out var zone))
            {
                continue;
            }

            if (TryCommitToClaim(i, variant, alt, claim, compat, zone))
            {
                return true;
            }
        }

        return false;
    }

    private bool TryCommitToClaim(int i, Variant variant, int alt, ClaimState claim, AltCompat compat, string? zone)
    {
        var request = _requests[i];
        var alternative = variant.Alternatives[alt];
        var mergedNow = claim.Merged.Contains(alternative);
        var requirements = mergedNow ? claim.Requirements : claim.Requirements.Intersect(compat.Merged);
        if (zone is not null)
        {
            requirements = requirements.Intersect(Requirements.Create(Requirement.In(Labels.Zone, zone)));
        }

        var narrowed = !ReferenceEquals(requirements, claim.Requirements);
        var used = (long[])claim.Used.Clone();
        Add(used, request);
        var options = new List<int>(claim.Options.Count);
        foreach (var t in claim.Options)
        {
            if (!compat.TypeSet[t] || !FitsWith(used, claim.Provisioner.Overhead[t]!, _alloc[t]))
            {
                continue;
            }

            if (narrowed && (!_types[t].Requirements.Intersects(requirements) || _types[t].CheapestOffering(requirements) is null))
            {
                continue;
            }

            options.Add(t);
        }

        if (options.Count == 0)
        {
            return false;
        }

        Array.Copy(used, claim.Used, used.Length);
        claim.Options = options;
        if (narrowed)
        {
            var zoneBefore = claim.Zone;
            claim.Requirements = requirements;
            if (zoneBefore is null && claim.Zone is { } newZone)
            {
                RecordZoneNarrowing(claim, newZone);
            }
        }

        claim.Merged.Add(alternative);
        claim.Pods.Add(i);
        claim.Ports.AddRange(_pods[i].HostPorts);
        _placedOnClaim[i] = claim;
        RecordPlacement(i, ClaimDomains(claim));
        UpdateLimitReservation(claim);
        if (claim.Cap is { } cap && !CanStillGrow(claim.Used, cap, i))
        {
            claim.Closed = true;
        }

        return true;
    }

    private bool TryNewClaim(int i, Variant variant, int alt, out string? reason)
    {
        var reasons = new List<string>();
        foreach (var provisioner in _provisioners)
        {
            var compat = Compat(variant, alt, provisioner);
            if (compat.Reason is not null)
            {
                reasons.Add($"{provisioner.Name}: {compat.Reason}");
                continue;
            }

            var options = FittingTypes(i, provisioner, compat.Types);
            if (options.Count == 0)
            {
                reasons.Add($"{provisioner.Name}: {TooBigReason(i, compat)}");
                continue;
            }

            options = WithinLimits(provisioner, options);
            if (options.Count == 0)
            {
                reasons.Add($"{provisioner.Name}: launching it would exceed the provisioner's limits ({string.Join(", ", provisioner.LimitNames)})");
                continue;
            }

            var claim = new ClaimState
            {
                Id = _claims.Count,
                Name = $"{_snapshot.Options.ClaimNamePrefix}{provisioner.Name}-{(_claims.Count + 1).ToString("D3", CultureInfo.InvariantCulture)}",
                Provisioner = provisioner,
                Requirements = compat.Merged,
                Used = new long[_dims.Length],
                Options = options,
            };
            if (!TopologyAllows(i, variant, ClaimDomains(claim), out var zone))
            {
                reasons.Add($"{provisioner.Name}: {TopologyReason(variant)}");
                continue;
            }

            if (_snapshot.Options.CostAwareSizing)
            {
                claim.Cap = ChooseCap(i, variant, compat, provisioner, zone);
            }

            claim.Merged.Add(variant.Alternatives[alt]);
            if (!TryCommitToClaim(i, variant, alt, claim, compat, zone))
            {
                reasons.Add($"{provisioner.Name}: no instance type remains once the pod's zone is chosen");
                continue;
            }

            _claims.Add(claim);
            if (!claim.Closed)
            {
                _openClaims.Add(claim);
            }

            reason = null;
            return true;
        }

        reason = _provisioners.Length == 0
            ? "no provisioner exists"
            : "no provisioner can launch a node for it: " + string.Join("; ", reasons);
        if (variant.Relaxed.Length > 0)
        {
            reason += $" (after relaxing {variant.Relaxed})";
        }

        return false;
    }

    private List<int> FittingTypes(int i, ProvisionerModel provisioner, int[] types)
    {
        var list = new List<int>(types.Length);
        foreach (var t in types)
        {
            if (FitsWith(_requests[i], provisioner.Overhead[t]!, _alloc[t]))
            {
                list.Add(t);
            }
        }

        return list;
    }

    private static List<int> WithinLimits(ProvisionerModel provisioner, List<int> types)
    {
        if (provisioner.LimitRemaining is not { } remaining)
        {
            return types;
        }

        var list = new List<int>(types.Count);
        foreach (var t in types)
        {
            if (Fits(provisioner.LimitCapacity[t]!, remaining))
            {
                list.Add(t);
            }
        }

        return list;
    }

    private static void UpdateLimitReservation(ClaimState claim)
    {
        var provisioner = claim.Provisioner;
        if (provisioner.LimitRemaining is not { } remaining)
        {
            return;
        }

        var reserved = new long[provisioner.LimitNames.Length];
        foreach (var t in claim.Options)
        {
            var capacity = provisioner.LimitCapacity[t]!;
            for (var k = 0; k < reserved.Length; k++)
            {
                reserved[k] = Math.Max(reserved[k], capacity[k]);
            }
        }

        if (claim.LimitReserved is { } previous)
        {
            Add(remaining, previous);
        }

        Subtract(remaining, reserved);
        claim.LimitReserved = reserved;
    }

    /// <summary>
    /// Picks the type whose capacity caps a new claim: simulate filling each candidate with the waiting pods
    /// of the same group (largest first) and take the lowest price per dollar of resources packed.
    /// </summary>
    private long[]? ChooseCap(int i, Variant variant, AltCompat compat, ProvisionerModel provisioner, string? zone)
    {
        var group = _groupOf[i];
        var start = group.Positions.IndexOf(i);
        long[]? bestCap = null;
        var bestScore = double.PositiveInfinity;
        var bestValue = 0.0;
        var used = new long[_dims.Length];
        foreach (var t in compat.SizingCandidates)
        {
            var price = compat.Price[t];
            if (zone is not null && _types[t].CheapestOffering(compat.Merged.Intersect(Requirements.Create(Requirement.In(Labels.Zone, zone)))) is { } zonal)
            {
                price = zonal.PricePerHour;
            }

            var cap = Room(provisioner, t);
            if (!Fits(_requests[i], cap))
            {
                continue;
            }

            Array.Clear(used);
            double value = 0;
            int count = 0, misses = 0, scanned = 0;
            for (var k = start; k < group.Positions.Count && scanned < MaxSizingScan && count < variant.MaxPerNode; k++, scanned++)
            {
                var p = group.Positions[k];
                if (k > start && (_placedOnClaim[p] is not null || _placedOnNode[p] >= 0))
                {
                    continue;
                }

                if (FitsWith(used, _requests[p], cap))
                {
                    Add(used, _requests[p]);
                    value += Value(p);
                    count++;
                }
                else if (++misses > MaxSizingMisses)
                {
                    break;
                }
            }

            if (count == 0 || value <= 0)
            {
                continue;
            }

            var score = price / value;
            if (score < bestScore * (1 - 1e-9) || (score <= bestScore * (1 + 1e-9) && value > bestValue))
            {
                bestScore = score;
                bestValue = value;
                bestCap = cap;
            }
        }

        return bestCap;
    }

    private double Value(int p)
    {
        var value = (_cpu >= 0 ? _requests[p][_cpu] * _valueCpu : 0) + (_memory >= 0 ? _requests[p][_memory] * _valueMemory : 0);
        return value > 0 ? value : 1e-9 * (1 + (_cpu >= 0 ? _requests[p][_cpu] : 0));
    }

    /// <summary>Shadow prices of cpu and memory from the LP over every pending pod and every allowed type.</summary>
    private void ComputeValuation()
    {
        if (_cpu < 0 && _memory < 0)
        {
            return;
        }

        double demandCpu = 0, demandMemory = 0;
        foreach (var r in _requests)
        {
            demandCpu += _cpu >= 0 ? r[_cpu] : 0;
            demandMemory += _memory >= 0 ? r[_memory] : 0;
        }

        var (cpu, memory, price) = TypeVectors(_provisioners.SelectMany(p => p.Types.Select(t => (p, t))));
        var solution = LpBound.Solve(demandCpu, demandMemory, cpu, memory, price);
        _valueCpu = solution.CpuPrice;
        _valueMemory = solution.MemoryPrice;
        if (_valueCpu <= 0 && _valueMemory <= 0 && cpu.Count > 0)
        {
            // Degenerate demand (no cpu and memory requests): value pods by cpu at the cheapest rate.
            _valueCpu = Enumerable.Range(0, cpu.Count).Min(k => price[k] / Math.Max(1, cpu[k]));
        }
    }

    private (List<double> Cpu, List<double> Memory, List<double> Price) TypeVectors(IEnumerable<(ProvisionerModel Provisioner, int Type)> entries)
    {
        var cpu = new List<double>();
        var memory = new List<double>();
        var price = new List<double>();
        var seen = new HashSet<(int, int)>();
        foreach (var (p, t) in entries)
        {
            if (!seen.Add((p.Index, t)) || _types[t].CheapestOffering(p.NodeRequirements) is not { } offering)
            {
                continue;
            }

            cpu.Add(_cpu >= 0 ? _alloc[t][_cpu] : 0);
            memory.Add(_memory >= 0 ? _alloc[t][_memory] : 0);
            price.Add(offering.PricePerHour);
        }

        return (cpu, memory, price);
    }

    private bool CanStillGrow(long[] used, long[] cap, int position)
    {
        var next = position + 1;
        if (next >= _pods.Length)
        {
            return false;
        }

        return (_cpu < 0 || cap[_cpu] - used[_cpu] >= _suffixMinCpu[next])
            && (_memory < 0 || cap[_memory] - used[_memory] >= _suffixMinMemory[next]);
    }

    private long[] SuffixMin(int dim)
    {
        var result = new long[_pods.Length + 1];
        result[_pods.Length] = long.MaxValue;
        for (var k = _pods.Length - 1; k >= 0; k--)
        {
            result[k] = Math.Min(result[k + 1], dim >= 0 ? _requests[k][dim] : 0);
        }

        return result;
    }

    private static bool PortsConflict(IReadOnlyList<HostPort> wanted, List<HostPort> taken)
    {
        foreach (var w in wanted)
        {
            foreach (var t in taken)
            {
                if (w.ConflictsWith(t))
                {
                    return true;
                }
            }
        }

        return false;
    }

    internal static bool Fits(long[] request, long[] free)
    {
        for (var d = 0; d < request.Length; d++)
        {
            if (request[d] > free[d])
            {
                return false;
            }
        }

        return true;
    }

    internal static bool FitsWith(long[] used, long[] extra, long[] limit)
    {
        for (var d = 0; d < used.Length; d++)
        {
            if (used[d] + extra[d] > limit[d])
            {
                return false;
            }
        }

        return true;
    }

    private static void Add(long[] target, long[] amount)
    {
        for (var d = 0; d < target.Length; d++)
        {
            target[d] += amount[d];
        }
    }

    private static void Subtract(long[] target, long[] amount)
    {
        for (var d = 0; d < target.Length; d++)
        {
            target[d] -= amount[d];
        }
    }

    private long[] Vector(ResourceList list)
    {
        var v = new long[_dims.Length];
        for (var d = 0; d < _dims.Length; d++)
        {
            v[d] = list.Get(_dims[d]).MilliValue;
        }

        return v;
    }
}
