using System.Collections.Concurrent;

namespace Capstan.Extender;

/// <summary>
/// The node names the scheduler sends, each kept once as a <see cref="KnownNode"/>, found by the UTF-16
/// characters of the name so that reading a request of thousands of names allocates none of them again.
/// Bounded: past <see cref="Capacity"/> names (node churn) the table starts over.
/// </summary>
internal sealed class KnownNodes
{
    public const int Capacity = 1 << 16;

    private Table _table = new();

    public int Count => _table.Count;

    public KnownNode Get(ReadOnlySpan<char> name)
    {
        var table = _table;
        return table.Lookup.TryGetValue(name, out var node) ? node : Add(table, name.ToString());
    }

    public KnownNode Get(string name)
    {
        var table = _table;
        return table.Nodes.TryGetValue(name, out var node) ? node : Add(table, name);
    }

    private KnownNode Add(Table table, string name)
    {
        var node = table.Nodes.GetOrAdd(name, static n => new KnownNode(n));
        if (Interlocked.Increment(ref table.Count) > Capacity)
        {
            Interlocked.CompareExchange(ref _table, new Table(), table);
        }

        return node;
    }

    private sealed class Table
    {
        public readonly ConcurrentDictionary<string, KnownNode> Nodes;
        public readonly ConcurrentDictionary<string, KnownNode>.AlternateLookup<ReadOnlySpan<char>> Lookup;
        public int Count;

        public Table()
        {
            Nodes = new ConcurrentDictionary<string, KnownNode>(StringComparer.Ordinal);
            Lookup = Nodes.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }
}
