using Microsoft.Extensions.Options;

namespace Capstan.Host.Status;

/// <summary>One sample of the cluster for the page's timeline: how many nodes there were and what they cost per hour.</summary>
public sealed record TimelinePoint(DateTimeOffset Time, int Nodes, double PricePerHour);

/// <summary>
/// The status page's nodes/cost history, the last <see cref="StatusOptions.TimelinePoints"/> samples that
/// <see cref="StatusSampler"/> took; held in memory only, so it starts empty with every process.
/// </summary>
public sealed class StatusTimeline(IOptions<StatusOptions> options)
{
    private readonly RingBuffer<TimelinePoint> _points = new(Math.Max(2, options.Value.TimelinePoints));

    public void Add(TimelinePoint point) => _points.Add(point);

    /// <summary>The samples kept, oldest first.</summary>
    public IReadOnlyList<TimelinePoint> Points() => _points.Items();
}
