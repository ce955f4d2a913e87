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
internal sealed class KnownNode(string name)
{
    private NodeFacts? _facts;
    private PlacementLedger.NodeEntries? _ledgerEntries;

    public string Name { get; } = name;

    /// <summary>The name as the JSON writer spells it, escaped once rather than at every answer.</summary>
    public JsonEncodedText JsonName { get; } = JsonEncodedText.Encode(name);

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
        var entries = Volatile.Read(ref _ledgerEntries);
        if (entries is null)
        {
            entries = ledger.Find(Name);
            if (entries is null)
            {
                return [];
            }

            Volatile.Write(ref _ledgerEntries, entries);
        }

        return entries.Entries;
    }
}
