using System.Buffers;

namespace Capstan.Extender.Wire;

/// <summary>
/// The candidate nodes of one request in pooled storage, in request order, each with where its node object
/// lies in the body and what that object says about the node (for <c>nodeCacheCapable: false</c>; empty ranges
/// and no state for names). Dispose to return the storage.
/// </summary>
internal sealed class CandidateList : IDisposable
{
    private KnownNode?[] _nodes = [];
    private Range[] _json = [];
    private NodeObjectState[] _states = [];

    public int Count { get; private set; }

    public ReadOnlySpan<KnownNode?> Nodes => _nodes.AsSpan(0, Count);

    public ReadOnlySpan<Range> Json => _json.AsSpan(0, Count);

    /// <summary>What each node object says about its node (all <see cref="NodeObjectState.None"/> for names).</summary>
    public ReadOnlySpan<NodeObjectState> States => _states.AsSpan(0, Count);

    public void Add(KnownNode? node, Range json = default, NodeObjectState state = NodeObjectState.None)
    {
        if (Count == _nodes.Length)
        {
            Grow();
        }

        _nodes[Count] = node;
        _json[Count] = json;
        _states[Count] = state;
        Count++;
    }

    public void Dispose()
    {
        if (_nodes.Length > 0)
        {
            ArrayPool<KnownNode?>.Shared.Return(_nodes, clearArray: true);
            ArrayPool<Range>.Shared.Return(_json);
            ArrayPool<NodeObjectState>.Shared.Return(_states);
        }

        _nodes = [];
        _json = [];
        _states = [];
        Count = 0;
    }

    private void Grow()
    {
        var size = Math.Max(256, _nodes.Length * 2);
        var nodes = ArrayPool<KnownNode?>.Shared.Rent(size);
        var json = ArrayPool<Range>.Shared.Rent(size);
        var states = ArrayPool<NodeObjectState>.Shared.Rent(size);
        Nodes.CopyTo(nodes);
        Json.CopyTo(json);
        States.CopyTo(states);
        var count = Count;
        Dispose();
        (_nodes, _json, _states, Count) = (nodes, json, states, count);
    }
}
