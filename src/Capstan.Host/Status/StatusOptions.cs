namespace Capstan.Host.Status;

/// <summary>
/// <c>Capstan:Status</c>: how often the status page's timeline samples the cluster and how much history the page keeps
/// in memory. Bounded so a long-running controller holds a fixed, small amount of it.
/// </summary>
public sealed class StatusOptions
{
    public const string SectionName = "Capstan:Status";

    /// <summary>Time between two timeline points (nodes and price per hour). Default 10 seconds.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeline points kept; the oldest goes first. Default 360 (an hour at the default interval).</summary>
    public int TimelinePoints { get; set; } = 360;

    /// <summary>Recent decisions (the controllers' Information and louder lines) kept. Default 200.</summary>
    public int Decisions { get; set; } = 200;
}
