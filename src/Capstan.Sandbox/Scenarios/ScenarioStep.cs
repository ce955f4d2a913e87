using Capstan.Core.Cloud;

namespace Capstan.Sandbox.Scenarios;

/// <summary>One thing a scenario does, with where it is written so the runner's messages can point at it.</summary>
public abstract record ScenarioStep
{
    /// <summary>The step's place in the scenario, from 1.</summary>
    public int Number { get; init; }

    /// <summary>The line of the scenario file the step starts on.</summary>
    public int Line { get; init; }
}

/// <summary>Applies manifests as <c>kubectl apply</c> would.</summary>
/// <param name="SourceName">The file as the scenario names it, or <c>SCENARIO, step N</c> for inline YAML: the name to give in messages.</param>
/// <param name="Yaml">The YAML text (the file is read when the scenario is), already checked to hold at least one object.</param>
public sealed record ApplyStep(string SourceName, string Yaml) : ScenarioStep;

/// <summary>
/// Deletes objects: either those of a manifest (<paramref name="SourceName"/> and <paramref name="Yaml"/>, as for
/// apply), or one object by <paramref name="Kind"/> and <paramref name="Name"/>.
/// </summary>
/// <param name="SourceName">The manifest's name in messages, as for <see cref="ApplyStep"/>; null for one object by name.</param>
/// <param name="Yaml">The manifest's text; null for one object by name.</param>
/// <param name="Kind">The object's kind (<c>Deployment</c>); null for a manifest.</param>
/// <param name="Name">The object's name; null for a manifest.</param>
/// <param name="Namespace">The object's namespace when the scenario gives one; null means <c>default</c> for a namespaced kind.</param>
public sealed record DeleteStep(string? SourceName, string? Yaml, string? Kind, string? Name, string? Namespace) : ScenarioStep;

/// <summary>Sets a workload's replicas as <c>kubectl scale</c> would.</summary>
/// <param name="Kind">Deployment, StatefulSet or ReplicaSet.</param>
/// <param name="Name">The workload's name.</param>
/// <param name="Namespace">Its namespace, <c>default</c> unless the scenario names another.</param>
/// <param name="Replicas">The replicas to set, 0 or more.</param>
public sealed record ScaleStep(string Kind, string Name, string Namespace, int Replicas) : ScenarioStep;

/// <summary>Waits, in simulated time, until <paramref name="Condition"/> holds or the timeout passes.</summary>
/// <param name="Condition">What must hold for the wait to end.</param>
/// <param name="Timeout">The step's own timeout; null means the scenario's <see cref="ScenarioSettings.Timeout"/>. Always null for a duration.</param>
public sealed record WaitStep(WaitCondition Condition, TimeSpan? Timeout) : ScenarioStep;

/// <summary>What a wait step waits for.</summary>
public abstract record WaitCondition
{
    private WaitCondition()
    {
    }

    /// <summary>Every pod of the cluster is running (none pending, none starting).</summary>
    public sealed record AllPodsRunning : WaitCondition;

    /// <summary>The cluster has exactly <paramref name="Count"/> nodes.</summary>
    public sealed record Nodes(int Count) : WaitCondition;

    /// <summary>Exactly <paramref name="Count"/> pods are pending.</summary>
    public sealed record PendingPods(int Count) : WaitCondition;

    /// <summary>Simulated time passes, whatever happens.</summary>
    public sealed record Duration(TimeSpan Length) : WaitCondition;

    /// <summary>Every node group named holds every count given for it.</summary>
    public sealed record NodeGroups(IReadOnlyDictionary<string, NodeGroupCheck> Checks) : WaitCondition;
}

/// <summary>What must hold for one node group (an Auto Scaling group); null means not checked.</summary>
/// <param name="Desired">Its desired capacity.</param>
/// <param name="Instances">Its instances not on their way out (pending or in service).</param>
/// <param name="ReadyNodes">The Ready nodes of the group (label <c>eks.amazonaws.com/nodegroup</c>).</param>
/// <param name="InstanceTypes">Every node of the group is one of these types (expect only).</param>
public sealed record NodeGroupCheck(int? Desired, int? Instances, int? ReadyNodes, IReadOnlyList<string>? InstanceTypes);

/// <summary>Checks the cluster now; each value given must hold. Null means not checked.</summary>
/// <param name="Nodes">Exactly this many nodes.</param>
/// <param name="MinNodes">At least this many nodes.</param>
/// <param name="MaxNodes">At most this many nodes.</param>
/// <param name="RunningPods">Exactly this many pods running.</param>
/// <param name="PendingPods">Exactly this many pods pending.</param>
/// <param name="MaxPricePerHour">The most the running nodes may cost together, in dollars per hour.</param>
/// <param name="InstanceTypes">Every node must be of one of these instance types.</param>
public sealed record ExpectStep(
    int? Nodes, int? MinNodes, int? MaxNodes, int? RunningPods, int? PendingPods, decimal? MaxPricePerHour, IReadOnlyList<string>? InstanceTypes) : ScenarioStep
{
    /// <summary>What must hold for node groups, by group name; null when the step checks none.</summary>
    public IReadOnlyDictionary<string, NodeGroupCheck>? NodeGroups { get; init; }
}

/// <summary>
/// Sends an interruption message for one node: the one named <paramref name="Node"/>, or (null) any node matching
/// the instance type, zone and capacity type given.
/// </summary>
/// <param name="Node">The node's name, or null for any node that matches the rest (the scenario's <c>node: any</c>).</param>
/// <param name="InstanceType">Only a node of this instance type, or null for any.</param>
/// <param name="Zone">Only a node in this zone, or null for any.</param>
/// <param name="CapacityType"><c>spot</c> or <c>on-demand</c>, or null for either.</param>
/// <param name="Kind">The message sent, a spot interruption warning unless the scenario names another.</param>
public sealed record InterruptStep(string? Node, string? InstanceType, string? Zone, string? CapacityType, InterruptionKind Kind) : ScenarioStep;

/// <summary>From now on the EC2 stand-in refuses launches of an offering with <paramref name="Code"/>.</summary>
/// <param name="InstanceType">The instance type refused.</param>
/// <param name="Zone">The zone refused, or null for every zone.</param>
/// <param name="CapacityType"><c>spot</c> or <c>on-demand</c>, or null for both.</param>
/// <param name="Code">The EC2 error code given, <c>InsufficientInstanceCapacity</c> unless the scenario names another.</param>
public sealed record CapacityErrorStep(string InstanceType, string? Zone, string? CapacityType, string Code) : ScenarioStep;
