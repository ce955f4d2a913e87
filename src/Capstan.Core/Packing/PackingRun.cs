using Capstan.Core.InstanceTypes;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>One execution of the packing core over a snapshot (see <see cref="Packer"/> for the algorithm).</summary>
internal sealed partial class PackingRun
{
    private const int MaxSizingScan = 2048;
    private const int MaxSizingMisses = 48;
    private const int SizingPerClass = 2;
    private const double SizingTolerance = 0.02;

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
    private readonly int[] _indexInGroup;
    private readonly long[] _suffixMinCpu;
    private readonly long[] _suffixMinMemory;
    private readonly string?[] _reasons;
    private readonly int[] _placedOnNode;
    private readonly ClaimState?[] _placedOnClaim;
    private readonly Func<ClaimState, IReadOnlyList<string>> _claimZones;
    private readonly Dictionary<(AltCompat Compat, string? Zone), (long[] Cap, int OwnCount)> _capCache = [];
    private int[] _sizingCounts = [];

    /// <summary>Pods placed so far in this run: a change of the plan's state that a remembered failure predates.</summary>
    private int _placements;
    private double _valueCpu;
    private double _valueMemory;

    public PackingRun(Snapshot snapshot)
    {
        _snapshot = snapshot;
        _claimZones = ClaimZones;
        _dims = CollectDimensions(snapshot);
        _cpu = Array.IndexOf(_dims, ResourceNames.Cpu);
        _memory = Array.IndexOf(_dims, ResourceNames.Memory);
        _types = CollectTypes(snapshot);
        _alloc = [.. _types.Select(t => Vector(t.Allocatable))];
        _provisioners = [.. snapshot.Provisioners
            .OrderByDescending(p => p.Provisioner.Weight).ThenBy(p => p.Provisioner.Name, StringComparer.Ordinal)
            .Select((p, i) => BuildProvisioner(p, i))];
        ComputeValuation(snapshot.PendingPods.Select(p => Vector(p.Requests)));
        _pods = [.. snapshot.PendingPods.OrderByDescending(p => p.Requests.Cpu).ThenByDescending(p => p.Requests.Memory)
            .ThenBy(p => p.CreationOrder).ThenBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)];
        _requests = [.. _pods.Select(p => Vector(p.Requests))];
        _nodes = [.. snapshot.Nodes.Select(BuildNode)];
        _groupOf = new PodGroup[_pods.Length];
        _indexInGroup = new int[_pods.Length];
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
        _sizingCounts = new int[_groups.Count];
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
        if (group.LastFailure is var (failedRequest, failedReason, placements) && placements == _placements
            && failedRequest.AsSpan().SequenceEqual(_requests[i]))
        {
            _reasons[i] = failedReason;
            return false;
        }

        string? reason = null;
        foreach (var variant in group.Variants)
        {
            for (var alt = 0; alt < variant.Alternatives.Length; alt++)
            {
                if (TryExistingNodes(i, variant, alt) || TryOpenClaims(i, variant, alt) || TryNewClaim(i, variant, alt, out reason))
                {
                    _reasons[i] = null;
                    _placements++;
                    return true;
                }
            }
        }

        _reasons[i] = reason ?? "no node can take it";
        group.LastFailure = (_requests[i], _reasons[i]!, _placements);
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
            variant.Group.Remaining--;
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

    /// <remarks>
    /// Claims are tried in creation order (first fit). Each alternative of a variant keeps a pointer past the
    /// leading claims that rejected it for good: rejections that can only persist as the plan grows (the claim
    /// has less room than any of the group's remaining pods needs, its requirements or host ports conflict,
    /// anti-affinity or hostname spread forbid it). That keeps the scan short when thousands of claims are open.
    /// </remarks>
    private bool TryOpenClaims(int i, Variant variant, int alt)
    {
        var request = _requests[i];
        var group = variant.Group;
        var k = _indexInGroup[i];
        var minCpu = _cpu >= 0 ? group.SuffixMinCpu[k] : 0;
        var minMemory = _memory >= 0 ? group.SuffixMinMemory[k] : 0;
        var prefix = true;
        for (var c = variant.FirstCandidate[alt]; c < _claims.Count; c++)
        {
            var claim = _claims[c];
            var lasting = claim.Closed
                || (_cpu >= 0 && claim.Room[_cpu] < minCpu)
                || (_memory >= 0 && claim.Room[_memory] < minMemory);
            if (!lasting)
            {
                if (!Fits(request, claim.Room))
                {
                    prefix = false;
                    continue;
                }

                var compat = Compat(variant, alt, claim.Provisioner);
                lasting = compat.Reason is not null
                    || (!claim.Merged.Contains(variant.Alternatives[alt]) && claim.Requirements.FirstConflict(compat.Merged) is not null)
                    || PortsConflict(_pods[i].HostPorts, claim.Ports);
                if (!lasting)
                {
                    if (!TopologyAllows(i, variant, ClaimDomains(claim), out var zone))
                    {
                        lasting = variant.TopologyRejectionLasts;
                    }
                    else if (TryCommitToClaim(i, variant, alt, claim, compat, zone))
                    {
                        return true;
                    }
                }
            }

            if (lasting && prefix)
            {
                variant.FirstCandidate[alt] = c + 1;
            }
            else
            {
                prefix = false;
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
        var room = new long[used.Length];
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
            var overhead = claim.Provisioner.Overhead[t]!;
            for (var d = 0; d < room.Length; d++)
            {
                room[d] = Math.Max(room[d], _alloc[t][d] - overhead[d]);
            }
        }

        if (options.Count == 0)
        {
            return false;
        }

        // Cost-aware sizing: a claim fills up to the room of the type it was sized for.
        if (claim.Cap is { } cap && !Fits(used, cap))
        {
            return false;
        }


        long[]? reserved = null;
        if (claim.Provisioner.LimitRemaining is { } remaining)
        {
            var headroom = (long[])remaining.Clone();
            if (claim.LimitReserved is { } previous)
            {
                Add(headroom, previous);
            }

            reserved = Reservation(claim.Provisioner, options);
            if (!Fits(reserved, headroom))
            {
                options = options.FindAll(t => Fits(claim.Provisioner.LimitCapacity[t]!, headroom));
                if (options.Count == 0)
                {
                    return false;
                }

                reserved = Reservation(claim.Provisioner, options);
            }

            Subtract(headroom, reserved);
            Array.Copy(headroom, remaining, headroom.Length);
            claim.LimitReserved = reserved;
        }

        Array.Copy(used, claim.Used, used.Length);
        claim.Options = options;
        if (claim.Cap is { } capRoom)
        {
            for (var d = 0; d < room.Length; d++)
            {
                room[d] = Math.Min(room[d], capRoom[d]);
            }
        }

        Subtract(room, used);
        claim.Room = room;
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
        variant.Group.Remaining--;
        if (!CanStillGrow(claim.Room, i))
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

            var options0 = options;
            options = WithinLimits(provisioner, options);
            if (options.Count == 0)
            {
                reasons.Add($"{provisioner.Name}: {LimitReason(provisioner, options0)}");
                continue;
            }

            var claim = new ClaimState
            {
                Id = _claims.Count,
                Name = ClaimName(provisioner, _claims.Count),
                Provisioner = provisioner,
                Requirements = compat.Merged,
                Opener = compat,
                Used = new long[_dims.Length],
                Options = options,
            };
            if (!TopologyAllows(i, variant, ClaimDomains(claim), out var zone))
            {
                reasons.Add($"{provisioner.Name}: {TopologyReason(variant)}");
                continue;
            }

            if (_snapshot.Options.Sizing == SizingStrategy.CostAware)
            {
                claim.Cap = SizeCap(i, variant, compat, provisioner, zone);
            }

            claim.Merged.Add(variant.Alternatives[alt]);
            if (!TryCommitToClaim(i, variant, alt, claim, compat, zone))
            {
                reasons.Add($"{provisioner.Name}: no instance type remains once the pod's zone is chosen");
                continue;
            }

            _claims.Add(claim);

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

    /// <summary>
    /// The limits a launch would exceed: those no fitting type stays within (or, when each type breaks a different one,
    /// those the cheapest type breaks), each named with the provisioner's value: <c>limits.resources.cpu 100 would be exceeded</c>.
    /// </summary>
    private static string LimitReason(ProvisionerModel provisioner, List<int> types)
    {
        var remaining = provisioner.LimitRemaining!;
        var exceeded = new List<int>();
        for (var k = 0; k < remaining.Length; k++)
        {
            if (types.TrueForAll(t => provisioner.LimitCapacity[t]![k] > remaining[k]))
            {
                exceeded.Add(k);
            }
        }

        if (exceeded.Count == 0 && types.Count > 0)
        {
            var cheapest = provisioner.LimitCapacity[types[0]]!;
            exceeded.AddRange(Enumerable.Range(0, remaining.Length).Where(k => cheapest[k] > remaining[k]));
        }

        var limits = provisioner.Provisioner.Limits ?? ResourceList.Empty;
        var names = exceeded.Select(k => provisioner.LimitNames[k]).Select(n => $"limits.resources.{n} {ResourceNames.FormatReadable(n, limits.Get(n))}");
        return $"{string.Join(" and ", names)} would be exceeded";
    }

    /// <summary>Largest magnitude a packing vector holds: quantities past it (a limit of 10000000Gi) saturate, so sums of a few never overflow.</summary>
    internal const long VectorMax = long.MaxValue / 4;

    internal static long VectorMilli(Quantity quantity) => Math.Clamp(quantity.MilliValue, -VectorMax, VectorMax);

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

    /// <summary>
    /// What a claim holds back from its provisioner's limits: the most of each limited resource among the
    /// instance types it could still be launched as (the cheapest <see cref="PackingOptions.MaxInstanceTypes"/>),
    /// so a launch that falls back to a bigger option never exceeds the limit.
    /// </summary>
    private long[] Reservation(ProvisionerModel provisioner, List<int> options)
    {
        var reserved = new long[provisioner.LimitNames.Length];
        var count = Math.Min(options.Count, _snapshot.Options.MaxInstanceTypes);
        for (var k = 0; k < count; k++)
        {
            var capacity = provisioner.LimitCapacity[options[k]]!;
            for (var d = 0; d < reserved.Length; d++)
            {
                reserved[d] = Math.Max(reserved[d], capacity[d]);
            }
        }

        return reserved;
    }

    /// <summary>
    /// Sizes a new claim: for a short list of candidate types, simulate filling one node first-fit with the
    /// waiting pods (this group's, up to what one node may take, and any others the claim admits) and take
    /// the best price per dollar of packed pods; the claim may not grow past that type's room. A size is
    /// reused for the same group while enough of its pods remain to fill such a node again.
    /// </summary>
    private long[]? SizeCap(int i, Variant variant, AltCompat compat, ProvisionerModel provisioner, string? zone)
    {
        var group = variant.Group;
        if (_capCache.TryGetValue((compat, zone), out var cached) && group.Remaining >= 2 * cached.OwnCount && Fits(_requests[i], cached.Cap))
        {
            return cached.Cap;
        }

        var zonal = zone is null ? null : compat.Merged.Intersect(Requirements.Create(Requirement.In(Labels.Zone, zone)));
        var admitted = new sbyte[_groups.Count];
        var used = new long[_dims.Length];
        var scored = new List<(double Score, double Value, long[] Room, int Own)>();
        foreach (var t in SizingShortList(i, variant, compat, provisioner))
        {
            var price = compat.Price[t];
            if (zonal is not null)
            {
                if (_types[t].CheapestOffering(zonal) is not { } offering)
                {
                    continue;
                }

                price = offering.PricePerHour;
            }

            var room = Room(provisioner, t);
            Array.Clear(used);
            var (value, own) = SimulateFill(i, variant, compat, provisioner, room, used, admitted);
            if (own > 0 && value > 0)
            {
                scored.Add((price / value, value, room, own));
            }
        }

        if (scored.Count == 0)
        {
            return null;
        }

        // Within a small tolerance of the best price per packed dollar, the roomier node wins: it evens out
        // the mix of pod shapes and leaves fewer nodes; right-sizing at the end trims what stays empty.
        var best = scored.Min(c => c.Score);
        var chosen = scored.Where(c => c.Score <= best * (1 + SizingTolerance)).MaxBy(c => c.Value);
        _capCache[(compat, zone)] = (chosen.Room, chosen.Own);
        return chosen.Room;
    }

    /// <summary>
    /// The candidates worth simulating: per size class (how many copies of this pod fit: 1, 2-3, 4-7, ...)
    /// the two types with the lowest price per copy, so small and large nodes both get a fair trial.
    /// </summary>
    private List<int> SizingShortList(int i, Variant variant, AltCompat compat, ProvisionerModel provisioner)
    {
        var request = _requests[i];
        var wanted = Math.Max(1, Math.Min(variant.Group.Remaining, variant.MaxPerNode));
        var best = new (double Cost, int Type)[64, SizingPerClass];
        for (var b = 0; b < 64; b++)
        {
            for (var k = 0; k < SizingPerClass; k++)
            {
                best[b, k] = (double.PositiveInfinity, -1);
            }
        }

        foreach (var t in compat.SizingCandidates)
        {
            var copies = long.MaxValue;
            for (var d = 0; d < request.Length; d++)
            {
                if (request[d] > 0)
                {
                    copies = Math.Min(copies, (_alloc[t][d] - provisioner.Overhead[t]![d]) / request[d]);
                }
            }

            if (copies < 1)
            {
                continue;
            }

            var bucket = 63 - long.LeadingZeroCount(copies);
            var cost = compat.Price[t] / Math.Min(copies, wanted);
            for (var k = 0; k < SizingPerClass; k++)
            {
                if (cost < best[bucket, k].Cost)
                {
                    for (var m = SizingPerClass - 1; m > k; m--)
                    {
                        best[bucket, m] = best[bucket, m - 1];
                    }

                    best[bucket, k] = (cost, t);
                    break;
                }
            }
        }

        var list = new List<int>();
        for (var b = 0; b < 64; b++)
        {
            for (var k = 0; k < SizingPerClass; k++)
            {
                if (best[b, k].Type >= 0)
                {
                    list.Add(best[b, k].Type);
                }
            }
        }

        return list;
    }

    /// <summary>
    /// First-fit of the waiting pods into one node of capacity <paramref name="cap"/>: this group's pods and
    /// any other pods the claim's requirements admit, each group at most as many as one node may take.
    /// Returns the packed value and how many of the group's own pods went in.
    /// </summary>
    private (double Value, int Own) SimulateFill(int i, Variant variant, AltCompat compat, ProvisionerModel provisioner, long[] cap, long[] used, sbyte[] admitted)
    {
        var group = variant.Group;
        var counts = _sizingCounts;
        Array.Clear(counts);
        double value = 0;
        var misses = 0;
        var end = Math.Min(_pods.Length, i + MaxSizingScan);
        for (var p = i; p < end; p++)
        {
            if (p > i && (_placedOnClaim[p] is not null || _placedOnNode[p] >= 0))
            {
                continue;
            }

            var g = _groupOf[p];
            var perNode = g == group ? variant.MaxPerNode : g.Variants[0].MaxPerNode;
            if (counts[g.Id] >= perNode || (g != group && !Admits(g, compat, provisioner, admitted)))
            {
                continue;
            }

            if (!FitsWith(used, _requests[p], cap))
            {
                if (++misses > MaxSizingMisses)
                {
                    break;
                }

                continue;
            }

            Add(used, _requests[p]);
            value += Value(p);
            counts[g.Id]++;
        }

        return (value, counts[group.Id]);
    }

    /// <summary>Whether pods of <paramref name="g"/> could share a node opened for <paramref name="compat"/> (cached per sizing decision).</summary>
    private bool Admits(PodGroup g, AltCompat compat, ProvisionerModel provisioner, sbyte[] admitted)
    {
        if (admitted[g.Id] == 0)
        {
            var ok = false;
            var variant = g.Variants[0];
            for (var alt = 0; alt < variant.Alternatives.Length && !ok; alt++)
            {
                var other = Compat(variant, alt, provisioner);
                ok = other.Reason is null && compat.Merged.FirstConflict(other.Merged) is null;
            }

            admitted[g.Id] = (sbyte)(ok ? 1 : -1);
        }

        return admitted[g.Id] > 0;
    }

    private double Value(int p) => Value(_requests[p]);

    private double Value(long[] request)
    {
        var value = (_cpu >= 0 ? request[_cpu] * _valueCpu : 0) + (_memory >= 0 ? request[_memory] * _valueMemory : 0);
        return value > 0 ? value : 1e-9 * (1 + (_cpu >= 0 ? request[_cpu] : 0));
    }

    /// <summary>Shadow prices of cpu and memory from the LP over every pending pod and every allowed type.</summary>
    private void ComputeValuation(IEnumerable<long[]> requests)
    {
        if (_cpu < 0 && _memory < 0)
        {
            return;
        }

        double demandCpu = 0, demandMemory = 0;
        foreach (var r in requests)
        {
            demandCpu += _cpu >= 0 ? r[_cpu] : 0;
            demandMemory += _memory >= 0 ? r[_memory] : 0;
        }

        var (cpu, memory, price) = TypeVectors(_provisioners.SelectMany(p => p.Types.Select(t => (p, t))));
        var solution = LpBound.Solve(demandCpu, demandMemory, cpu, memory, price);
        if (cpu.Count == 0)
        {
            return;
        }

        // A resource the LP leaves unpriced (not binding) still keeps a tenth of its cheapest standalone price,
        // so pods that are mostly of that resource are not worthless when sizing nodes.
        var floorCpu = Enumerable.Range(0, cpu.Count).Min(k => price[k] / Math.Max(1, cpu[k]));
        var floorMemory = Enumerable.Range(0, memory.Count).Min(k => price[k] / Math.Max(1, memory[k]));
        _valueCpu = solution.CpuPrice + (0.1 * floorCpu);
        _valueMemory = solution.MemoryPrice + (0.1 * floorMemory);
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

    private bool CanStillGrow(long[] room, int position)
    {
        var next = position + 1;
        if (next >= _pods.Length)
        {
            return false;
        }

        return (_cpu < 0 || room[_cpu] >= _suffixMinCpu[next])
            && (_memory < 0 || room[_memory] >= _suffixMinMemory[next]);
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
            v[d] = VectorMilli(list.Get(_dims[d]));
        }

        return v;
    }
}
