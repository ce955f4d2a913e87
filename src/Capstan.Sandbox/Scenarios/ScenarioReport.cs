using System.Text.Json;
using System.Text.Json.Serialization;

namespace Capstan.Sandbox.Scenarios;

/// <summary>
/// What one scenario run did, as the JSON file CI keeps and compares between runs: whether every expectation
/// held, how many nodes came and went, how fast pods were bound, what it cost and whether anything leaked.
/// </summary>
public sealed record ScenarioReport
{
    public required string Scenario { get; init; }

    public required bool Passed { get; init; }

    public int NodesLaunched { get; init; }

    public int NodesTerminated { get; init; }

    public int PodsBound { get; init; }

    /// <summary>The most nodes the cluster had at once.</summary>
    public int MaxNodes { get; init; }

    /// <summary>Simulated seconds from a pod's creation to its binding.</summary>
    public TimeToBind PodTimeToBindSeconds { get; init; } = new(0, 0);

    /// <summary>What the run's instances cost at their hourly prices, over the simulated time they ran.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Instances still running in the EC2 stand-in with no node left for them at the end.</summary>
    public int LeakedInstances { get; init; }

    /// <summary>Launches made again for capacity that was already launched (the same client token or pod wave).</summary>
    public int DuplicateLaunches { get; init; }

    /// <summary>One sentence per expectation that did not hold: <c>step 5 (line 12): expected 2 nodes, found 3</c>.</summary>
    public IReadOnlyList<string> FailedExpectations { get; init; } = [];

    /// <summary>The report as indented JSON with camelCase names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ScenarioReportJson.Default.ScenarioReport);

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/>, making its folder when it is missing.</summary>
    public void WriteTo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, ToJson() + Environment.NewLine);
    }
}

/// <summary>Percentiles of a distribution in seconds (nearest rank), for the report's time to bind.</summary>
public sealed record TimeToBind(double P50, double P99)
{
    /// <summary>The 50th and 99th percentiles of <paramref name="seconds"/>; zero for both when there are none.</summary>
    public static TimeToBind Of(IReadOnlyList<double> seconds) => new(Percentiles.Of(seconds, 50), Percentiles.Of(seconds, 99));
}

/// <summary>The nearest-rank percentile: always a value that occurred, never an interpolation between two.</summary>
public static class Percentiles
{
    /// <summary>
    /// The smallest value at least <paramref name="p"/> percent of <paramref name="values"/> are at or below;
    /// 0 for no values. <paramref name="p"/> is a percentage from 0 to 100 (0 gives the smallest value).
    /// </summary>
    public static double Of(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(p >= 0 && p <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a percentile is from 0 to 100");
        }

        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ScenarioReport))]
internal sealed partial class ScenarioReportJson : JsonSerializerContext;
