using Capstan.Core.Cluster;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.NodeGroups;

/// <summary>A group to grow: from its desired capacity now to the new one, for these pods.</summary>
public sealed record NodeGroupScaleUp(NodeGroup Group, int From, int To, IReadOnlyList<PodRequest> Pods)
{
    public int Nodes => To - From;
}

/// <summary>What one pass does: the provisioners' plan (node claims, placements, unschedulable pods) and the groups to grow.</summary>
public sealed record NodeGroupPlan(Plan Plan, IReadOnlyList<NodeGroupScaleUp> ScaleUps);

/// <summary>
/// Plans one batch over Provisioners and node groups together. Each group is a capacity source of its own: a
/// provisioner that may launch only the group's first-listed type, in its zones, at its capacity type, with its labels
/// and taints, and no more nodes than the group's headroom. The packing core prices every source's option for the
/// pending pods; the expander picks one; the pods it takes leave the batch, and the others are offered to the sources
/// that are left, until no source helps any more pod. Pods that fit on existing nodes (in-flight group capacity
/// included, given as nodes of the snapshot) are placed there first and do not ask for anything.
/// </summary>
public static class NodeGroupPlanner
{
    /// <summary>The prefix of the provisioner a group is planned as (no Provisioner can be named so: names are DNS labels).</summary>
    public const string ProvisionerPrefix = "nodegroup/";

    public static NodeGroupPlan Plan(Snapshot snapshot, IReadOnlyList<NodeGroup> groups, Expander expander, ExpanderPriorities? priorities = null,
        NodeGroupBalancing? balancing = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(expander);
        var usable = groups.Where(g => g.PlannedType is not null && g.Headroom > 0).OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
        if (usable.Count == 0)
        {
            return new NodeGroupPlan(Packer.Solve(snapshot), []);
        }

        // Placements on existing nodes first: they are the same whichever source is chosen.
        var existing = Packer.Solve(snapshot with { Provisioners = [] });
        var pending = existing.Unschedulable.Select(u => u.Pod).ToList();
        var nodes = WithPlacements(snapshot.Nodes, existing.ExistingNodes);
        var scaleUps = new List<NodeGroupScaleUp>();
        Plan? chosenProvisioners = null;
        Plan? lastProvisioners = null;
        var provisionersLeft = snapshot.Provisioners.Count > 0;
        while (pending.Count > 0)
        {
            var round = snapshot with { PendingPods = pending, Nodes = nodes };
            var options = new List<ScaleUpOption>();
            if (provisionersLeft)
            {
                lastProvisioners = Packer.Solve(round);
                options.Add(ProvisionersOption(lastProvisioners));
            }

            foreach (var candidate in usable)
            {
                options.Add(GroupOption(round, candidate));
            }

            var choice = expander.Choose(options, priorities);
            if (choice is null)
            {
                break;
            }

            var taken = new HashSet<string>(choice.Pods.Select(p => p.Key), StringComparer.Ordinal);
            pending = [.. pending.Where(p => !taken.Contains(p.Key))];
            if (choice.Group is { } group)
            {
                var shares = balancing is { Enabled: true } ? Balance(round, choice, group, usable, balancing) : [(group, choice.NodeCount)];
                // The pods go with the nodes, in proportion (the last share ends at the last pod): kube-scheduler
                // places them wherever the nodes come up.
                var nodesBefore = 0;
                foreach (var (share, count) in shares)
                {
                    var first = choice.Pods.Count * nodesBefore / choice.NodeCount;
                    nodesBefore += count;
                    var end = choice.Pods.Count * nodesBefore / choice.NodeCount;
                    scaleUps.Add(new NodeGroupScaleUp(share, share.DesiredCapacity, share.DesiredCapacity + count, [.. choice.Pods.Take(first..end)]));
                    usable.Remove(share);
                }
            }
            else
            {
                chosenProvisioners = choice.ProvisionerPlan;
                provisionersLeft = false;
            }
        }

        var reasons = (lastProvisioners?.Unschedulable ?? existing.Unschedulable).ToDictionary(u => u.Pod.Key, u => u.Reason, StringComparer.Ordinal);
        var plan = new Plan
        {
            NodeClaims = chosenProvisioners?.NodeClaims ?? [],
            ExistingNodes = existing.ExistingNodes,
            Unschedulable = [.. pending.Select(p => new UnschedulablePod(p, reasons.GetValueOrDefault(p.Key, "no provisioner or node group can take it")))],
            TotalPricePerHour = chosenProvisioners?.TotalPricePerHour ?? 0,
            LowerBoundPricePerHour = chosenProvisioners?.LowerBoundPricePerHour ?? 0,
        };
        return new NodeGroupPlan(plan, scaleUps);
    }

    /// <summary>
    /// The chosen group's nodes spread over it and the groups similar to it whose nodes would take every one of the
    /// choice's pods (as Cluster Autoscaler checks its pods against each similar group's template node).
    /// </summary>
    private static IReadOnlyList<(NodeGroup Group, int Nodes)> Balance(Snapshot round, ScaleUpOption choice, NodeGroup chosen, List<NodeGroup> usable,
        NodeGroupBalancing balancing)
    {
        var wanted = choice.Pods.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var similar = new List<NodeGroup> { chosen };
        foreach (var candidate in usable)
        {
            if (candidate == chosen || !balancing.AreSimilar(chosen, candidate))
            {
                continue;
            }

            // Room for all of them, so that only whether the pods fit its nodes is asked, not how many it may add.
            var roomy = candidate with { MaxSize = candidate.DesiredCapacity + choice.NodeCount };
            if (GroupOption(round, roomy).Pods.Select(p => p.Key).ToHashSet(StringComparer.Ordinal).SetEquals(wanted))
            {
                similar.Add(candidate);
            }
        }

        return similar.Count == 1 ? [(chosen, choice.NodeCount)] : NodeGroupBalancing.Split(choice.NodeCount, similar);
    }

    /// <summary>The provisioner a group is planned as: its first-listed type only, its zones, capacity type, labels and taints.</summary>
    public static Provisioner AsProvisioner(NodeGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var type = group.PlannedType ?? throw new ArgumentException($"node group {group.Name} has no instance type", nameof(group));
        var requirements = new List<Requirement>
        {
            Requirement.In(Labels.InstanceType, type.Name),
            Requirement.In(Labels.CapacityType, group.CapacityType),
        };
        if (group.Zones.Count > 0)
        {
            requirements.Add(Requirement.In(Labels.Zone, [.. group.Zones]));
        }

        return new Provisioner
        {
            Name = ProvisionerPrefix + group.Name,
            Labels = group.Template.Labels,
            Taints = group.Template.Taints,
            Requirements = Requirements.Create(requirements),
            // The headroom as a CPU limit on a single-type provisioner is a node count.
            Limits = ResourceList.Create((ResourceNames.Cpu, type.Capacity.Cpu * group.Headroom)),
        };
    }

    private static ScaleUpOption ProvisionersOption(Plan plan) =>
        Option(ScaleUpOption.ProvisionersName, null, plan, [.. plan.NodeClaims.Select(c => c.Provisioner).Distinct(StringComparer.Ordinal)]);

    private static ScaleUpOption GroupOption(Snapshot round, NodeGroup group)
    {
        var plan = Packer.Solve(round with
        {
            Provisioners = [new ProvisionerState(AsProvisioner(group)) { InstanceTypes = [group.PlannedType!] }],
        });
        return Option(group.Name, group, plan, [group.Name]);
    }

    /// <summary>What an expander compares of a plan's new node claims; the provisioners' option keeps its plan.</summary>
    private static ScaleUpOption Option(string name, NodeGroup? group, Plan plan, IReadOnlyList<string> matchNames) => new()
    {
        Name = name,
        Group = group,
        ProvisionerPlan = group is null ? plan : null,
        MatchNames = matchNames,
        NodeCount = plan.NodeClaims.Count,
        Pods = [.. plan.NodeClaims.SelectMany(c => c.Pods)],
        Allocatable = Sum(plan.NodeClaims.Select(c => c.Cheapest.InstanceType.Allocatable)),
        Requested = Sum(plan.NodeClaims.Select(c => c.Requests)),
        PricePerHour = plan.TotalPricePerHour,
    };

    private static IReadOnlyList<NodeView> WithPlacements(IReadOnlyList<NodeView> nodes, IReadOnlyList<ExistingNodePlacement> placements)
    {
        if (placements.Count == 0)
        {
            return nodes;
        }

        var placed = placements.ToDictionary(p => p.NodeName, p => p.Pods, StringComparer.Ordinal);
        return [.. nodes.Select(n => placed.TryGetValue(n.Name, out var pods) ? n with { Pods = [.. n.Pods, .. pods] } : n)];
    }

    private static ResourceList Sum(IEnumerable<ResourceList> lists) => lists.Aggregate(ResourceList.Empty, (a, b) => a.Add(b));
}
