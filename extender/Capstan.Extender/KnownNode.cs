using System.Text;
using System.Text.Json;
using Capstan.Core.Cluster;
using Capstan.Extender.Ledger;

namespace Capstan.Extender;

/// <summary>
/// One node name the scheduler has sent, with what was derived from it: the <see cref="NodeFacts"/> of
/// the last view the cache returned, and the node's ledger holder once the ledger has one.
/// </summary>
/// <remarks>
/// Both caches are safe under races: facts are immutable and tied to a view by reference (two threads may
/// compute them twice, never wrongly), and the ledger never removes a node's holder once created.
/// </remarks>
internal sealed class KnownNode(string name, uint hash)
{
    private NodeFacts? _facts;
    private PlacementLedger.NodeEntries? _ledgerEntries;
    private int _absentAtVersion = -1;

    public string Name { get; } = name;

    /// <summary>The name as the JSON writer spells it, escaped once rather than at every answer.</summary>
    public JsonEncodedText JsonName { get; } = JsonEncodedText.Encode(name);

    /// <summary><c>{"Host":"name","Score":</c>, the start of this node's prioritize entry, as the JSON writer would write it.</summary>
    public byte[] HostEntryPrefix { get; } = [.. "{\"Host\":\""u8, .. JsonEncodedText.Encode(name).EncodedUtf8Bytes, .. "\",\"Score\":"u8];

    /// <summary>The name in UTF-8, as the request carries it when it needs no escaping.</summary>
    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    /// <summary><see cref="KnownNodes.Hash"/> of <see cref="Utf8Name"/>.</summary>
    public uint Hash { get; } = hash;

    public NodeFacts FactsOf(NodeView view, PlacementLedger ledger)
    {
        var facts = Volatile.Read(ref _facts);
        if (facts is null || !ReferenceEquals(facts.View, view))
        {
            facts = new NodeFacts(view, ledger.CacheFree(view));
            Volatile.Write(ref _facts, facts);
        }

        return facts;
    }

    public LedgerEntry[] LedgerEntries(PlacementLedger ledger)
    {
        if (Volatile.Read(ref _ledgerEntries) is { } known)
        {
            return known.Entries;
        }

        // Without a holder, look again only after the ledger created one (for any node).
        var version = ledger.HolderVersion;
        if (version == Volatile.Read(ref _absentAtVersion))
        {
            return [];
        }

        if (ledger.Find(Name) is { } entries)
        {
            Volatile.Write(ref _ledgerEntries, entries);
            return entries.Entries;
        }

        Volatile.Write(ref _absentAtVersion, version);
        return [];
    }
}
