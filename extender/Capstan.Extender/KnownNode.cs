using System.Text;
using System.Text.Json;
using Capstan.Core.Cluster;
using Capstan.Core.Placement;
using Capstan.Core.Ports;

namespace Capstan.Extender;

/// <summary>
/// One node name the scheduler has sent, with what was derived from it: the node's slot in the cluster
/// cache, the <see cref="NodeFacts"/> of the last view read, and the node's ledger holder once the ledger has one.
/// </summary>
/// <remarks>
/// <para>These caches are safe under races: a slot only ever shows a current view or none, facts are immutable and tied to a view by reference (two threads may
/// compute them twice, never wrongly), and the ledger never removes a node's holder once created.</para>
/// <para>The name's bytes live in one array, the JSON string as the writer spells it (quotes included); the raw
/// UTF-8 the request carries is the inside of that array, unless escaping changed it. Filter and prioritize
/// touch thousands of these per request, so fewer objects per node means fewer cache misses.</para>
/// </remarks>
internal sealed class KnownNode
{
    private readonly byte[] _quotedJson;
    private readonly byte[]? _utf8WhenEscaped;
    private NodeSlot? _slot;
    private NodeFacts? _facts;
    private LedgerNode? _ledgerEntries;
    private int _absentAtVersion = -1;

    public KnownNode(string name, uint hash)
    {
        Name = name;
        Hash = hash;
        var escaped = JsonEncodedText.Encode(name).EncodedUtf8Bytes;
        _quotedJson = [(byte)'"', .. escaped, (byte)'"'];
        var utf8 = Encoding.UTF8.GetBytes(name);
        _utf8WhenEscaped = utf8.AsSpan().SequenceEqual(escaped) ? null : utf8;
    }

    public string Name { get; }

    /// <summary><c>"name"</c>: the name as a JSON string, escaped as <see cref="Utf8JsonWriter"/> escapes it.</summary>
    public ReadOnlySpan<byte> QuotedJsonName => _quotedJson;

    /// <summary>The name in UTF-8, as the request carries it when it needs no escaping.</summary>
    public ReadOnlySpan<byte> Utf8Name => _utf8WhenEscaped ?? _quotedJson.AsSpan(1, _quotedJson.Length - 2);

    /// <summary><see cref="KnownNodes.Hash"/> of <see cref="Utf8Name"/>.</summary>
    public uint Hash { get; }

    /// <summary>
    /// The node's current view in the cluster cache, or null when the cache does not know it. Through the
    /// node's <see cref="NodeSlot"/> once the cache gave one (a pointer load), else by name.
    /// </summary>
    public NodeView? ViewOf(IClusterState cluster)
    {
        if (Volatile.Read(ref _slot)?.View is { } view)
        {
            return view;
        }

        if (cluster.FindSlot(Name) is { } slot)
        {
            Volatile.Write(ref _slot, slot);
            if (slot.View is { } current)
            {
                return current;
            }
        }

        return cluster.FindNode(Name);
    }

    public NodeFacts FactsOf(NodeView view, IPlacementLedger ledger)
    {
        var facts = Volatile.Read(ref _facts);
        if (facts is null || !ReferenceEquals(facts.View, view))
        {
            facts = new NodeFacts(view, ledger.CacheFree(view));
            Volatile.Write(ref _facts, facts);
        }

        return facts;
    }

    public LedgerEntry[] LedgerEntries(IPlacementLedger ledger)
    {
        if (Volatile.Read(ref _ledgerEntries) is { } known)
        {
            return known.Entries;
        }

        // Without a holder, look again only after the ledger created one (for any node).
        var version = ledger.NodeVersion;
        if (version == Volatile.Read(ref _absentAtVersion))
        {
            return [];
        }

        if (ledger.FindNode(Name) is { } entries)
        {
            Volatile.Write(ref _ledgerEntries, entries);
            return entries.Entries;
        }

        Volatile.Write(ref _absentAtVersion, version);
        return [];
    }
}
