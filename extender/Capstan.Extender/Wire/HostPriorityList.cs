namespace Capstan.Extender.Wire;

/// <summary>Response of prioritize: a top-level JSON array of <see cref="HostPriority"/> (Go <c>HostPriorityList</c>).</summary>
public sealed class HostPriorityList : List<HostPriority>
{
    /// <summary><c>MinExtenderPriority</c>.</summary>
    public const long MinScore = 0;

    /// <summary><c>MaxExtenderPriority</c>.</summary>
    public const long MaxScore = 10;

    public HostPriorityList()
    {
    }

    public HostPriorityList(int capacity)
        : base(capacity)
    {
    }
}
