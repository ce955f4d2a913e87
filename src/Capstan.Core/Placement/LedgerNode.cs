namespace Capstan.Core.Placement;

/// <summary>
/// One node's entries in a <see cref="PlacementLedger"/>. Created on the first write for the node and never removed,
/// so a caller that reads the same node again and again may keep it and read <see cref="Entries"/> without a lookup.
/// </summary>
public sealed class LedgerNode
{
    private static readonly LedgerEntry[] s_none = [];

    private volatile LedgerEntry[] _entries = s_none;

    /// <summary>The entries now: an immutable array, replaced (never changed) under the node's lock.</summary>
    public LedgerEntry[] Entries
    {
        get => _entries;
        internal set => _entries = value;
    }

    internal Lock Gate { get; } = new();
}
