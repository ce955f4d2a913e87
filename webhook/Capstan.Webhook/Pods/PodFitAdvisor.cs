using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Webhook.Pods;

/// <summary>
/// Tells, at apply time, when no Provisioner could ever launch a node for a pod: its nodeSelector, required node
/// affinity or tolerations rule out every Provisioner. Names the closest Provisioner and what does not match.
/// Advisory only: it never denies, and it stays quiet when an existing node already fits the pod or when the
/// cluster has no Provisioner at all.
/// </summary>
public static class PodFitAdvisor
{
    public const string Prefix = "capstan: ";

    /// <summary>The warnings for one pod (spec); empty when some Provisioner or node can host it.</summary>
    public static IReadOnlyList<string> Warnings(PodRequest pod, IReadOnlyList<Provisioner> provisioners, IReadOnlyList<NodeView> nodes)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(provisioners);
        ArgumentNullException.ThrowIfNull(nodes);
        if (provisioners.Count == 0)
        {
            return [];
        }

        (Provisioner Provisioner, List<string> Problems)? closest = null;
        foreach (var provisioner in provisioners)
        {
            var problems = Mismatches(pod, provisioner);
            if (problems.Count == 0)
            {
                return [];
            }

            if (closest is null || Score(problems) < Score(closest.Value.Problems)
                || (Score(problems) == Score(closest.Value.Problems) && provisioner.Weight > closest.Value.Provisioner.Weight))
            {
                closest = (provisioner, problems);
            }
        }

        if (nodes.Any(n => !n.Unschedulable && !n.MarkedForDeletion && FitsNode(pod, n)))
        {
            return [];
        }

        var (best, reasons) = closest!.Value;
        var warnings = new List<string>
        {
            $"{Prefix}no Provisioner can launch a node for this pod ({provisioners.Count} checked); closest is \"{best.Name}\"",
        };
        warnings.AddRange(reasons.Select(r => $"{Prefix}Provisioner \"{best.Name}\": {r}"));
        return warnings;
    }

    /// <summary>Why a node of this Provisioner could not host the pod: one entry per failing constraint.</summary>
    public static List<string> Mismatches(PodRequest pod, Provisioner provisioner)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(provisioner);
        var offered = provisioner.NodeRequirements();
        var problems = new List<string>();
        if (offered.Incompatibility(pod.NodeSelector) is { } selector)
        {
            problems.Add("nodeSelector " + selector);
        }

        if (pod.RequiredAffinity.Count > 0)
        {
            string? first = null;
            foreach (var term in pod.RequiredAffinity)
            {
                var reason = offered.Incompatibility(term);
                if (reason is null)
                {
                    first = null;
                    break;
                }

                first ??= reason;
            }

            if (first is not null)
            {
                problems.Add("required node affinity " + first);
            }
        }

        if (Toleration.FirstUntolerated(provisioner.Taints, pod.Tolerations) is { } taint)
        {
            problems.Add($"taint {taint} is not tolerated (key {taint.Key})");
        }

        return problems;
    }

    /// <summary>Label mismatches weigh more than an untolerated taint: the Provisioner whose labels match is the closest.</summary>
    private static int Score(List<string> problems) => problems.Sum(p => p.StartsWith("taint ", StringComparison.Ordinal) ? 1 : 2);

    private static bool FitsNode(PodRequest pod, NodeView node)
    {
        if (!Satisfied(pod.NodeSelector, node.Labels))
        {
            return false;
        }

        if (pod.RequiredAffinity.Count > 0 && !pod.RequiredAffinity.Any(term => Satisfied(term, node.Labels)))
        {
            return false;
        }

        return Toleration.FirstUntolerated(node.Taints, pod.Tolerations) is null;
    }

    private static bool Satisfied(Requirements requirements, IReadOnlyDictionary<string, string> labels) =>
        requirements.All(r => labels.TryGetValue(r.Key, out var value) ? r.Allows(value) : r.AllowsAbsent);
}
