using Capstan.Sandbox.World;

namespace Capstan.Sandbox.Scenarios;

/// <summary>
/// A scenario file as read: what to apply, change, wait for and expect, in order, so that <c>capstan sandbox</c>
/// replays the same story against the real controllers every time and CI can say whether it still holds.
/// </summary>
/// <param name="Name">The scenario's name (its <c>name:</c>), shown in the report.</param>
/// <param name="Description">Its optional one-line description.</param>
/// <param name="Settings">The simulated timings and default clock speed, with defaults for what the file leaves out.</param>
/// <param name="Steps">The steps, numbered from 1 in file order.</param>
/// <param name="SourceDirectory">The folder files named by steps were read from; null when the text came from no file.</param>
public sealed record Scenario(string Name, string? Description, ScenarioSettings Settings, IReadOnlyList<ScenarioStep> Steps, string? SourceDirectory)
{
    /// <summary>The Auto Scaling groups (node groups) the world creates before the steps run, from <c>nodeGroups:</c>.</summary>
    public IReadOnlyList<SandboxNodeGroup> NodeGroups { get; init; } = [];
}

/// <summary>
/// How fast the sandbox's simulated world moves: the clock's default speed and how long the simulated cloud and
/// kubelet take, so a scenario can model slow boots or quick ones without touching the code.
/// </summary>
/// <param name="Speed">Simulated seconds per real second (the command line's <c>--speed</c> overrides it).</param>
/// <param name="NodeBootTime">From launch to the node reporting Ready.</param>
/// <param name="LaunchLatency">From CreateFleet to the instance running.</param>
/// <param name="PodStartTime">From a pod bound on a Ready node to it running.</param>
/// <param name="Timeout">How long a wait step waits, in simulated time, when it names no timeout of its own.</param>
public sealed record ScenarioSettings(double Speed, TimeSpan NodeBootTime, TimeSpan LaunchLatency, TimeSpan PodStartTime, TimeSpan Timeout)
{
    private static readonly IReadOnlyDictionary<string, string> s_noConfiguration = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Capstan configuration the scenario sets (its <c>Capstan:...</c> keys under <c>settings:</c>, such as
    /// <c>Capstan:NodeGroups:Enabled</c>), given to the Capstan host the sandbox runs; the sandbox's own wiring wins.
    /// </summary>
    public IReadOnlyDictionary<string, string> Configuration { get; init; } = s_noConfiguration;

    /// <summary>The settings of a scenario that gives none: speed 10, boot 30s, launch 2s, pod start 2s, timeout 10m.</summary>
    public static ScenarioSettings Default { get; } = new(10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));
}
