namespace Capstan.Controllers.Disruption;

/// <summary>Voluntary disruption's settings (<c>Capstan:Disruption</c>): emptiness, expiry and consolidation.</summary>
public sealed class DisruptionOptions
{
    public const string SectionName = "Capstan:Disruption";

    /// <summary>Nodes being disrupted at once (marked, draining or deleting for emptiness, expiry or consolidation).</summary>
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>How long a consolidation decision waits before it is checked again and carried out.</summary>
    public TimeSpan ConsolidationValidationDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the nodes are looked at.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Candidates tried together by one multi-node consolidation, at most.</summary>
    public int MaxConsolidationBatch { get; set; } = 10;
}
