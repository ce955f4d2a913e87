namespace Capstan.Controllers.Disruption;

/// <summary>How often garbage collection compares the cloud's instances with the cluster's nodes (<c>Capstan:GarbageCollection</c>).</summary>
public sealed class GarbageCollectionOptions
{
    public const string SectionName = "Capstan:GarbageCollection";

    /// <summary>Period of the pass (one also runs at start, once the cluster state has synced).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(2);
}
