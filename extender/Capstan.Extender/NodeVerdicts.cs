namespace Capstan.Extender;

/// <summary>
/// The reasons filter gives. They are short and stable because the scheduler groups identical messages
/// into its event text (<c>0/N nodes are available: 3 node(s) ...</c>), and they contain no <c>%</c>.
/// </summary>
public static class NodeVerdicts
{
    public const string BeingDeleted = "node(s) are being deleted by Capstan";

    public const string BeingDisrupted = "node(s) are being drained or replaced by Capstan (consolidation or expiry)";

    public const string CordonedByCapstan = "node(s) were cordoned by Capstan";

    public const string NotSynced = "Capstan's cluster cache is not synced yet";

    public static string Insufficient(string resource) => $"node(s) had insufficient {resource} after Capstan's placements";
}
