using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Capstan.Extender;

/// <summary>
/// The node names the scheduler sends, each kept once as a <see cref="KnownNode"/> and found by the UTF-8
/// bytes of the request, so reading thousands of names neither decodes nor allocates them.
/// </summary>
/// <remarks>
/// An open-addressing table that only grows: readers probe without a lock, a writer fills an empty slot
/// with a complete node (or publishes a larger copy) under the lock, so a reader sees a node or an empty
/// slot, and looks again under the lock before adding. Past <see cref="Capacity"/> names (node churn) the
/// table starts over. The hash is CRC-32C, computed in hardware; node names come from the cluster, not
/// from untrusted clients.
/// </remarks>
internal sealed class KnownNodes
{
    public const int Capacity = 1 << 16;

    private const int InitialSlots = 1024;

    private readonly Lock _gate = new();
    private Table _table = new(InitialSlots);

    public int Count => Volatile.Read(ref _table).Count;

    /// <summary>The node of a name seen before, by its UTF-8 bytes; null for a new name (then call <see cref="Get(string)"/>).</summary>
    public KnownNode? Find(ReadOnlySpan<byte> utf8Name) => Volatile.Read(ref _table).Find(utf8Name, Hash(utf8Name));

    public KnownNode Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var utf8 = Encoding.UTF8.GetBytes(name);
        var hash = Hash(utf8);
        return Volatile.Read(ref _table).Find(utf8, hash) ?? Add(name, hash);
    }

    internal static uint Hash(ReadOnlySpan<byte> utf8)
    {
        var crc = 0u;
        for (; utf8.Length >= sizeof(ulong); utf8 = utf8[sizeof(ulong)..])
        {
            crc = BitOperations.Crc32C(crc, MemoryMarshal.Read<ulong>(utf8));
        }

        foreach (var b in utf8)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    private KnownNode Add(string name, uint hash)
    {
        var node = new KnownNode(name, hash);
        lock (_gate)
        {
            var table = _table;
            if (table.Find(node.Utf8Name, hash) is { } existing)
            {
                return existing;
            }

            if (table.Count >= Capacity)
            {
                table = new Table(InitialSlots);
            }
            else if ((table.Count + 1) * 2 > table.Length)
            {
                table = table.Grown();
            }

            table.Insert(node);
            Volatile.Write(ref _table, table);
            return node;
        }
    }

    private sealed class Table(int length)
    {
        private readonly KnownNode?[] _slots = new KnownNode?[length];

        public int Count { get; private set; }

        public int Length => _slots.Length;

        public KnownNode? Find(ReadOnlySpan<byte> utf8Name, uint hash)
        {
            var mask = _slots.Length - 1;
            for (var i = (int)(hash & (uint)mask); ; i = (i + 1) & mask)
            {
                var node = Volatile.Read(ref _slots[i]);
                if (node is null)
                {
                    return null;
                }

                if (node.Hash == hash && utf8Name.SequenceEqual(node.Utf8Name))
                {
                    return node;
                }
            }
        }

        /// <summary>Only under the owner's lock.</summary>
        public void Insert(KnownNode node)
        {
            var mask = _slots.Length - 1;
            var i = (int)(node.Hash & (uint)mask);
            while (_slots[i] is not null)
            {
                i = (i + 1) & mask;
            }

            Volatile.Write(ref _slots[i], node);
            Count++;
        }

        public Table Grown()
        {
            var grown = new Table(_slots.Length * 2);
            foreach (var node in _slots)
            {
                if (node is not null)
                {
                    grown.Insert(node);
                }
            }

            return grown;
        }
    }
}
