using Capstan.Core.Text;
using System.Globalization;
using System.Text.Json.Nodes;
using Capstan.Core.Cloud;
using Capstan.Kubernetes.Manifests;
using Capstan.Sandbox.Kubernetes;
using Capstan.Sandbox.World;

namespace Capstan.Sandbox.Scenarios;

/// <summary>
/// Plays a <see cref="Scenario"/> against a running <see cref="SandboxWorld"/> (with Capstan serving it) on the
/// world's clock: applies and deletes manifests through admission, scales workloads, waits, injects interruptions
/// and capacity errors, checks expectations, and meanwhile measures what the report says: nodes launched and
/// terminated, pods bound and their time to bind, the most nodes at once, the cost, leaked instances (running with
/// no Node) and duplicate launches (two instances for one claim).
/// </summary>
public sealed class ScenarioRunner
{
    private const string ClaimTag = "capstan.dev/node-claim";
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(500);
    private readonly SandboxWorld _world;
    private readonly Action<string> _say;
    private readonly Dictionary<string, double> _bindSeconds = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];
    private int _maxNodes;

    /// <param name="world">The world to play in.</param>
    /// <param name="say">Where the runner's own lines go (the step being played, a failed expectation).</param>
    public ScenarioRunner(SandboxWorld world, Action<string> say)
    {
        _world = world;
        _say = say;
    }

    private TimeProvider Time => _world.Time;

    private ObjectStore Store => _world.Store;

    public async Task<ScenarioReport> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        using var sampler = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, sampler.Token);
        var sampling = SampleAsync(linked.Token);
        try
        {
            foreach (var step in scenario.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await PlayAsync(step, scenario.Settings, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await sampler.CancelAsync().ConfigureAwait(false);
            await sampling.ConfigureAwait(false);
        }

        Sample();
        return Report(scenario);
    }

    private async Task PlayAsync(ScenarioStep step, ScenarioSettings settings, CancellationToken cancellationToken)
    {
        var at = $"step {step.Number} (line {step.Line})";
        switch (step)
        {
            case ApplyStep apply:
                foreach (var obj in ManifestDocuments.Read(apply.SourceName, Substitute(apply.Yaml)))
                {
                    try
                    {
                        _say($"{at}: apply {await _world.ApplyAsync(obj, cancellationToken).ConfigureAwait(false)}");
                    }
                    catch (ApiException e)
                    {
                        Fail($"{at}: apply {(string?)obj["kind"]}/{ObjectStore.NameOf(obj)} was refused: {e.Message}");
                    }
                }

                break;
            case DeleteStep delete when delete.Yaml is not null:
                foreach (var obj in ManifestDocuments.Read(delete.SourceName ?? "delete", Substitute(delete.Yaml)))
                {
                    var gone = _world.Delete((string?)obj["apiVersion"] ?? "", (string?)obj["kind"] ?? "", ObjectStore.NamespaceOf(obj), ObjectStore.NameOf(obj));
                    _say($"{at}: delete {((string?)obj["kind"])?.ToLowerInvariant()}/{ObjectStore.NameOf(obj)}{(gone ? "" : " (not found)")}");
                }

                break;
            case DeleteStep delete:
                var kind = delete.Kind ?? "Deployment";
                var resource = ApiResources.All.FirstOrDefault(r => string.Equals(r.Kind, kind, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ScenarioException([$"{at}: the sandbox does not serve {kind}"]);
                _world.Delete(resource.ApiVersion, resource.Kind, delete.Namespace, delete.Name ?? "");
                _say($"{at}: delete {resource.Singular}/{delete.Name}");
                break;
            case ScaleStep scale:
                Scale(scale, at);
                break;
            case WaitStep wait:
                await WaitAsync(wait, settings, at, cancellationToken).ConfigureAwait(false);
                break;
            case ExpectStep expect:
                Expect(expect, at);
                break;
            case InterruptStep interrupt:
                Interrupt(interrupt, at);
                break;
            case CapacityErrorStep capacity:
                foreach (var zone in capacity.Zone is { } z ? [z] : _world.Options.Zones)
                {
                    foreach (var capacityType in capacity.CapacityType is { } c ? [c] : new[] { "on-demand", "spot" })
                    {
                        _world.Ec2.NoCapacity(capacity.InstanceType, zone, capacityType);
                    }
                }

                _say($"{at}: EC2 has no {capacity.CapacityType ?? "on-demand or spot"} capacity for {capacity.InstanceType} in {capacity.Zone ?? "any zone"} from now on");
                break;
        }
    }

    private string Substitute(string yaml) =>
        yaml.Replace("${CLUSTER_NAME}", _world.Options.ClusterName, StringComparison.Ordinal)
            .Replace("$CLUSTER_NAME", _world.Options.ClusterName, StringComparison.Ordinal);

    private void Scale(ScaleStep scale, string at)
    {
        var resource = ApiResources.All.FirstOrDefault(r => string.Equals(r.Kind, scale.Kind, StringComparison.OrdinalIgnoreCase) && r.Subresources.Contains("scale"));
        if (resource is null)
        {
            Fail($"{at}: {scale.Kind} cannot be scaled");
            return;
        }

        try
        {
            Store.Update(resource, scale.Namespace, scale.Name, workload =>
            {
                workload["spec"]!["replicas"] = scale.Replicas;
                return workload;
            });
            _say($"{at}: scale {resource.Singular}/{scale.Name} to {scale.Replicas}");
        }
        catch (ApiException e)
        {
            Fail($"{at}: scale {resource.Singular}/{scale.Name}: {e.Message}");
        }
    }

    private async Task WaitAsync(WaitStep wait, ScenarioSettings settings, string at, CancellationToken cancellationToken)
    {
        if (wait.Condition is WaitCondition.Duration duration)
        {
            _say($"{at}: wait {GoDuration.Format(duration.Length)}");
            await Task.Delay(duration.Length, Time, cancellationToken).ConfigureAwait(false);
            return;
        }

        var (holds, what) = wait.Condition switch
        {
            WaitCondition.AllPodsRunning => ((Func<bool>)(() => PendingPods() == 0 && RunningPods() >= DesiredReplicas()), "every pod running"),
            WaitCondition.Nodes nodes => (() => Nodes().Count == nodes.Count, $"{nodes.Count} node(s)"),
            WaitCondition.PendingPods pending => (() => PendingPods() == pending.Count, $"{pending.Count} pending pod(s)"),
            WaitCondition.NodeGroups groups => (() => groups.Checks.All(c => GroupProblems(c.Key, c.Value).Count == 0), GroupWords(groups.Checks)),
            _ => throw new ScenarioException([$"{at}: unknown wait"]),
        };
        var timeout = wait.Timeout ?? settings.Timeout;
        var started = Time.GetUtcNow();
        _say($"{at}: wait for {what} (at most {GoDuration.Format(timeout)})");
        while (!holds())
        {
            if (Time.GetUtcNow() - started > timeout)
            {
                Fail($"{at}: timed out after {GoDuration.Format(timeout)} waiting for {what} ({Nodes().Count} node(s), {RunningPods()} running, {PendingPods()} pending)");
                return;
            }

            await Task.Delay(s_poll, Time, cancellationToken).ConfigureAwait(false);
        }

        _say($"{at}: {what} after {GoDuration.Format(TimeSpan.FromSeconds(Math.Round((Time.GetUtcNow() - started).TotalSeconds)))}");
    }

    private void Expect(ExpectStep expect, string at)
    {
        var nodes = Nodes();
        var running = RunningPods();
        var pending = PendingPods();
        var price = (decimal)nodes.Sum(NodePrice);
        var types = nodes.Select(n => (string?)n["metadata"]?["labels"]?["node.kubernetes.io/instance-type"] ?? "").ToList();
        Check(expect.Nodes is not { } n || nodes.Count == n, $"expected {expect.Nodes} node(s), found {nodes.Count}");
        Check(expect.MinNodes is not { } min || nodes.Count >= min, $"expected at least {expect.MinNodes} node(s), found {nodes.Count}");
        Check(expect.MaxNodes is not { } max || nodes.Count <= max, $"expected at most {expect.MaxNodes} node(s), found {nodes.Count}");
        Check(expect.RunningPods is not { } r || running == r, $"expected {expect.RunningPods} running pod(s), found {running}");
        Check(expect.PendingPods is not { } p || pending == p, $"expected {expect.PendingPods} pending pod(s), found {pending}");
        Check(expect.MaxPricePerHour is not { } cap || price <= cap,
            $"expected at most ${expect.MaxPricePerHour?.ToString(CultureInfo.InvariantCulture)}/h, the nodes cost ${price.ToString("0.####", CultureInfo.InvariantCulture)}/h");
        Check(expect.InstanceTypes is not { } allowed || types.All(allowed.Contains),
            $"expected instance types {string.Join(", ", expect.InstanceTypes ?? [])}, found {string.Join(", ", types.Distinct())}");
        foreach (var (group, check) in expect.NodeGroups ?? new Dictionary<string, NodeGroupCheck>())
        {
            foreach (var problem in GroupProblems(group, check))
            {
                Fail($"{at}: node group {group}: {problem}");
            }
        }

        _say($"{at}: expect: {nodes.Count} node(s) ({string.Join(", ", types.GroupBy(t => t).Select(g => $"{g.Count()} {g.Key}"))}), {running} running, {pending} pending, ${price.ToString("0.####", CultureInfo.InvariantCulture)}/h");

        void Check(bool holds, string message)
        {
            if (!holds)
            {
                Fail($"{at}: {message}");
            }
        }
    }

    private void Interrupt(InterruptStep interrupt, string at)
    {
        var candidates = Nodes().Where(n =>
            (interrupt.Node is null || ObjectStore.NameOf(n) == interrupt.Node)
            && (interrupt.InstanceType is null || (string?)n["metadata"]?["labels"]?["node.kubernetes.io/instance-type"] == interrupt.InstanceType)
            && (interrupt.Zone is null || (string?)n["metadata"]?["labels"]?["topology.kubernetes.io/zone"] == interrupt.Zone)
            && (interrupt.CapacityType is null || CapacityTypeOf(n) == interrupt.CapacityType)).ToList();
        var node = candidates.OrderBy(ObjectStore.NameOf, StringComparer.Ordinal).FirstOrDefault();
        var provider = (string?)node?["spec"]?["providerID"];
        if (node is null || provider is null)
        {
            Fail($"{at}: no node to interrupt matches");
            return;
        }

        var instance = provider[(provider.LastIndexOf('/') + 1)..];
        var queue = _world.Options.InterruptionQueue;
        var now = Time.GetUtcNow();
        switch (interrupt.Kind)
        {
            case InterruptionKind.RebalanceRecommendation:
                _world.Sqs.EnqueueRebalanceRecommendation(queue, instance, now);
                break;
            case InterruptionKind.ScheduledChange:
                _world.Sqs.EnqueueScheduledChange(queue, [instance], now, now.AddHours(1));
                break;
            case InterruptionKind.InstanceStopped:
                _world.Sqs.EnqueueStateChange(queue, instance, "stopping", now);
                break;
            default:
                _world.Sqs.EnqueueSpotInterruption(queue, instance, now);
                // Two minutes later EC2 takes the instance back, whatever happened meanwhile.
                _ = ReclaimAsync(instance, now.AddMinutes(2));
                break;
        }

        _say($"{at}: {interrupt.Kind} for {ObjectStore.NameOf(node)} ({instance})");
    }

    private async Task ReclaimAsync(string instanceId, DateTimeOffset at)
    {
        await Task.Delay(at - Time.GetUtcNow(), Time).ConfigureAwait(false);
        _world.Ec2.Reclaim(instanceId);
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(s_poll, Time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // The scenario ended.
        }
    }

    private void Sample()
    {
        _maxNodes = Math.Max(_maxNodes, Nodes().Count);
        var (pods, _) = Store.List(ApiResources.Pods);
        foreach (var pod in pods)
        {
            var uid = (string?)pod["metadata"]?["uid"] ?? "";
            if (string.IsNullOrEmpty((string?)pod["spec"]?["nodeName"]) || _bindSeconds.ContainsKey(uid))
            {
                continue;
            }

            var created = ObjectStore.ParseTimestamp(pod["metadata"]?["creationTimestamp"]);
            var scheduled = ObjectStore.ParseTimestamp((pod["status"]?["conditions"] as JsonArray ?? [])
                .FirstOrDefault(c => (string?)c?["type"] == "PodScheduled" && (string?)c?["status"] == "True")?["lastTransitionTime"]);
            if (created is { } c && scheduled is { } s)
            {
                _bindSeconds[uid] = Math.Max(0, (s - c).TotalSeconds);
            }
        }
    }

    private ScenarioReport Report(Scenario scenario)
    {
        var now = Time.GetUtcNow();
        var instances = _world.Ec2.Instances;
        var nodesByProvider = Nodes().Select(n => (string?)n["spec"]?["providerID"] ?? "").Select(p => p[(p.LastIndexOf('/') + 1)..]).ToHashSet(StringComparer.Ordinal);
        var live = instances.Where(i => i.TerminationRequestedAt is null).ToList();
        var leaked = live.Count(i => !nodesByProvider.Contains(i.InstanceId) && now - i.LaunchTime > _world.Options.NodeBootTime + TimeSpan.FromMinutes(1));
        var duplicates = instances.Where(i => i.Tags.ContainsKey(ClaimTag)).GroupBy(i => i.Tags[ClaimTag], StringComparer.Ordinal).Sum(g => g.Count() - 1);
        var cost = instances.Sum(i =>
        {
            var end = i.TerminationRequestedAt ?? now;
            return Math.Max(0, (end - i.LaunchTime).TotalHours) * _world.PriceOf(i.InstanceType, i.Zone, i.Lifecycle == "spot" ? "spot" : "on-demand");
        });
        if (leaked > 0)
        {
            Fail($"{leaked} instance(s) leaked: running with no Node");
        }

        if (duplicates > 0)
        {
            Fail($"{duplicates} duplicate launch(es): two instances for one claim");
        }

        return new ScenarioReport
        {
            Scenario = scenario.Name,
            Passed = _failures.Count == 0,
            NodesLaunched = instances.Count,
            NodesTerminated = instances.Count(i => i.TerminationRequestedAt is not null),
            PodsBound = _bindSeconds.Count,
            MaxNodes = _maxNodes,
            PodTimeToBindSeconds = TimeToBind.Of([.. _bindSeconds.Values]),
            CostUsd = Math.Round((decimal)cost, 4),
            LeakedInstances = leaked,
            DuplicateLaunches = duplicates,
            FailedExpectations = [.. _failures],
        };
    }

    private void Fail(string message)
    {
        _failures.Add(message);
        _say("FAILED " + message);
    }

    private double NodePrice(JsonObject node)
    {
        var labels = node["metadata"]?["labels"];
        return _world.PriceOf((string?)labels?["node.kubernetes.io/instance-type"] ?? "", (string?)labels?["topology.kubernetes.io/zone"] ?? "", CapacityTypeOf(node));
    }

    /// <summary>A node's capacity type: Capstan's label, else a managed node group's (<c>SPOT</c>/<c>ON_DEMAND</c>), else on-demand.</summary>
    private static string CapacityTypeOf(JsonObject node)
    {
        var labels = node["metadata"]?["labels"];
        return (string?)labels?["karpenter.sh/capacity-type"] ?? ((string?)labels?[SandboxKubelets.CapacityTypeLabel] == "SPOT" ? "spot" : "on-demand");
    }

    /// <summary>What does not hold for a node group now, in words (empty when everything does).</summary>
    private List<string> GroupProblems(string name, NodeGroupCheck check)
    {
        var problems = new List<string>();
        if (_world.AutoScaling.Group(name) is not { } group)
        {
            problems.Add("there is no such Auto Scaling group");
            return problems;
        }

        var nodes = Nodes().Where(n => (string?)n["metadata"]?["labels"]?[SandboxKubelets.NodeGroupLabel] == name).ToList();
        var ready = nodes.Count(n => PodConditions.StatusOf(n, "Ready") == "True");
        var instances = group.Instances.Count(i => i.LifecycleState is "Pending" or "InService");
        var types = nodes.Select(n => (string?)n["metadata"]?["labels"]?["node.kubernetes.io/instance-type"] ?? "").ToList();
        if (check.Desired is { } desired && group.DesiredCapacity != desired)
        {
            problems.Add($"expected desired capacity {desired}, found {group.DesiredCapacity}");
        }

        if (check.Instances is { } count && instances != count)
        {
            problems.Add($"expected {count} instance(s), found {instances}");
        }

        if (check.ReadyNodes is { } readyNodes && ready != readyNodes)
        {
            problems.Add($"expected {readyNodes} Ready node(s), found {ready}");
        }

        if (check.InstanceTypes is { } allowed && !types.All(allowed.Contains))
        {
            problems.Add($"expected instance types {string.Join(", ", allowed)}, found {string.Join(", ", types.Distinct())}");
        }

        return problems;
    }

    private static string GroupWords(IReadOnlyDictionary<string, NodeGroupCheck> checks) => string.Join("; ", checks.Select(c =>
    {
        var parts = new List<string>();
        if (c.Value.Desired is { } desired)
        {
            parts.Add($"desired {desired}");
        }

        if (c.Value.Instances is { } instances)
        {
            parts.Add($"{instances} instance(s)");
        }

        if (c.Value.ReadyNodes is { } ready)
        {
            parts.Add($"{ready} Ready node(s)");
        }

        return $"node group {c.Key} at {string.Join(", ", parts)}";
    }));

    private List<JsonObject> Nodes() => [.. Store.List(ApiResources.Nodes).Items];

    private IReadOnlyList<JsonObject> WorkloadPods() =>
        Store.List(ApiResources.Pods, filter: p => p["metadata"]?["deletionTimestamp"] is null && (string?)p["status"]?["phase"] is not ("Succeeded" or "Failed")).Items;

    /// <summary>The pods the workloads ask for: the replicas of every Deployment and StatefulSet, and of every ReplicaSet no Deployment owns.</summary>
    private int DesiredReplicas()
    {
        var total = 0;
        foreach (var resource in new[] { ApiResources.Deployments, ApiResources.StatefulSets, ApiResources.ReplicaSets })
        {
            foreach (var workload in Store.List(resource).Items)
            {
                if (resource == ApiResources.ReplicaSets && workload["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 })
                {
                    continue;
                }

                total += JsonNumbers.Count(workload["spec"]?["replicas"]) ?? 1;
            }
        }

        return total;
    }

    private static bool Running(JsonObject pod) => (string?)pod["status"]?["phase"] == "Running";

    private int RunningPods() => WorkloadPods().Count(Running);

    private int PendingPods() => WorkloadPods().Count(p => !Running(p));
}
