using System.Buffers;

namespace Capstan.Extender.Wire;

/// <summary>
/// The candidate nodes of one request in pooled storage, in request order, each with where its node object
/// lies in the body (for <c>nodeCacheCapable: false</c>; empty ranges for names). Dispose to return the storage.
/// </summary>
internal sealed class CandidateList : IDisposable
{
    private KnownNode?[] _nodes = [];
    private Range[] _json = [];

    public int Count { get; private set; }

    public ReadOnlySpan<KnownNode?> Nodes => _nodes.AsSpan(0, Count);

    public ReadOnlySpan<Range> Json => _json.AsSpan(0, Count);

    public void Add(KnownNode? node, Range json = default)
    {
        if (Count == _nodes.Length)
        {
            Grow();
        }

        _nodes[Count] = node;
        _json[Count] = json;
        Count++;
    }

    public void Dispose()
    {
        if (_nodes.Length > 0)
        {
            ArrayPool<KnownNode?>.Shared.Return(_nodes, clearArray: true);
            ArrayPool<Range>.Shared.Return(_json);
        }

        _nodes = [];
        _json = [];
        Count = 0;
    }

    private void Grow()
    {
        var size = Math.Max(256, _nodes.Length * 2);
        var nodes = ArrayPool<KnownNode?>.Shared.Rent(size);
        var json = ArrayPool<Range>.Shared.Rent(size);
        Nodes.CopyTo(nodes);
        Json.CopyTo(json);
        var count = Count;
        Dispose();
        (_nodes, _json, Count) = (nodes, json, count);
    }
}
