using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>The topology domains of a placement target: an existing node (its labels) or a claim (its requirements).</summary>
internal readonly struct TargetDomains
{
    private readonly NodeState? _node;
    private readonly ClaimState? _claim;
    private readonly Func<ClaimState, IReadOnlyList<string>>? _claimZones;

    public TargetDomains(NodeState node)
    {
        _node = node;
        _claim = null;
        _claimZones = null;
    }

    /// <param name="claim">The claim.</param>
    /// <param name="claimZones">Computes the zones an undecided claim may still launch in (only called when needed).</param>
    public TargetDomains(ClaimState claim, Func<ClaimState, IReadOnlyList<string>> claimZones)
    {
        _node = null;
        _claim = claim;
        _claimZones = claimZones;
    }

    /// <summary>The target's value for a topology key, or null when it has none or (claims) it is not decided yet.</summary>
    public string? Value(string key)
    {
        if (_node is not null)
        {
            if (_node.View.Labels.TryGetValue(key, out var value))
            {
                return value;
            }

            return key == Labels.Hostname ? _node.View.Name : null;
        }

        return key == Labels.Hostname ? _claim!.Name : _claim!.Requirements.Get(key)?.SingleValue;
    }

    /// <summary>The values the target could still take for a key: its value, or (undecided claim zones) the zones it may launch in.</summary>
    public IReadOnlyList<string> Candidates(string key)
    {
        if (Value(key) is { } value)
        {
            return [value];
        }

        return _claim is not null && key == Labels.Zone ? _claimZones!(_claim) : [];
    }
}
