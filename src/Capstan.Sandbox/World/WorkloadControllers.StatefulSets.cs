using System.Globalization;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;

namespace Capstan.Sandbox.World;

/// <summary>The StatefulSet controller: pods with stable ordinal names, made and removed in order.</summary>
public sealed partial class WorkloadControllers
{
    private void SyncStatefulSets(DateTimeOffset now)
    {
        var (sets, _) = _store.List(ApiResources.StatefulSets);
        if (sets.Count == 0)
        {
            return;
        }

        var pods = PodsByController();
        foreach (var set in sets)
        {
            Guard(ApiResources.StatefulSets, set, () => SyncStatefulSet(set, pods.GetValueOrDefault(Workload.Uid(set)) ?? [], now));
        }
    }

    /// <summary>
    /// Keeps pods <c>&lt;name&gt;-0</c> to <c>&lt;name&gt;-(N-1)</c>. With <c>OrderedReady</c> (the default) it makes
    /// one pod at a time, each once the ones before it are running and ready, and removes the highest ordinal first,
    /// one at a time; with <c>Parallel</c> it makes and removes them all at once. A pod that failed or succeeded is
    /// deleted and made again. A template change replaces pods from the highest ordinal down (at or above the
    /// rolling update's partition), one at a time once every pod is ready. No volume claims are made.
    /// </summary>
    private void SyncStatefulSet(JsonObject set, List<JsonObject> pods, DateTimeOffset now)
    {
        var name = Workload.Name(set);
        var replicas = Workload.Replicas(set);
        var parallel = (string?)set["spec"]?["podManagementPolicy"] == "Parallel";
        var template = set["spec"]?["template"];
        var revision = $"{name}-{Workload.TemplateHash(template, JsonNumbers.Count(set["status"]?["collisionCount"]) ?? 0)}";
        var byOrdinal = new SortedDictionary<int, JsonObject>();
        foreach (var pod in pods)
        {
            if (Ordinal(name, ObjectStore.NameOf(pod)) is { } ordinal)
            {
                byOrdinal[ordinal] = pod;
            }
        }

        if (!Workload.IsTerminating(set))
        {
            ManageStatefulPods(set, byOrdinal, replicas, parallel, revision);
        }

        var minReady = Workload.MinReadySeconds(set);
        var updated = pods.Count(p => !Workload.IsTerminating(p) && (string?)p["metadata"]?["labels"]?["controller-revision-hash"] == revision);
        var status = CopyStatus(set);
        status["observedGeneration"] = Workload.Generation(set);
        status["replicas"] = pods.Count;
        status["readyReplicas"] = pods.Count(Workload.IsRunningAndReady);
        status["availableReplicas"] = pods.Count(p => Workload.IsRunningAndReady(p) && Workload.IsAvailable(p, minReady, now));
        status["currentReplicas"] = updated;
        status["updatedReplicas"] = updated;
        status["updateRevision"] = revision;
        if (updated >= replicas || status["currentRevision"] is null)
        {
            status["currentRevision"] = revision;
        }

        WriteStatus(ApiResources.StatefulSets, set, status);
    }

    private void ManageStatefulPods(JsonObject set, SortedDictionary<int, JsonObject> byOrdinal, int replicas, bool parallel, string revision)
    {
        var name = Workload.Name(set);
        var ns = Workload.Namespace(set);

        // Failed or succeeded pods are deleted; the next pass makes them again.
        foreach (var pod in byOrdinal.Values.Where(p => Workload.IsFinished(p) && !Workload.IsTerminating(p)))
        {
            _store.Delete(ApiResources.Pods, ns, ObjectStore.NameOf(pod), uidPrecondition: Workload.Uid(pod));
        }

        var created = 0;
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            if (byOrdinal.TryGetValue(ordinal, out var pod))
            {
                if (!parallel && (Workload.IsTerminating(pod) || !Workload.IsRunningAndReady(pod)))
                {
                    break;
                }

                continue;
            }

            var podName = $"{name}-{ordinal}";
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["statefulset.kubernetes.io/pod-name"] = podName,
                ["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture),
                ["controller-revision-hash"] = revision,
            };
            var fresh = Workload.PodFromTemplate(set["spec"]?["template"], set, ApiResources.StatefulSets, podName, labels);
            var spec = (JsonObject)fresh["spec"]!;
            spec["hostname"] = podName;
            if ((string?)set["spec"]?["serviceName"] is { Length: > 0 } service)
            {
                spec["subdomain"] = service;
            }

            _store.Create(ApiResources.Pods, fresh);
            created++;
            if (!parallel)
            {
                break;
            }
        }

        if (created > 0)
        {
            _logger.PodsCreated(ApiResources.StatefulSets.Kind, ns, name, created);
        }

        var condemned = byOrdinal.Where(p => p.Key >= replicas && !Workload.IsTerminating(p.Value)).OrderByDescending(p => p.Key).Select(p => p.Value).ToList();
        var anyTerminating = byOrdinal.Values.Any(Workload.IsTerminating);
        if (condemned.Count > 0 && (parallel || !anyTerminating))
        {
            foreach (var pod in parallel ? condemned : condemned.Take(1))
            {
                _store.Delete(ApiResources.Pods, ns, ObjectStore.NameOf(pod), uidPrecondition: Workload.Uid(pod));
            }

            _logger.PodsDeleted(ApiResources.StatefulSets.Kind, ns, name, parallel ? condemned.Count : 1);
            return;
        }

        // Rolling update: once all are there and ready, replace the highest outdated pod at or above the partition.
        if ((string?)set["spec"]?["updateStrategy"]?["type"] is "OnDelete" || condemned.Count > 0 || anyTerminating)
        {
            return;
        }

        var partition = JsonNumbers.Count(set["spec"]?["updateStrategy"]?["rollingUpdate"]?["partition"]) ?? 0;
        var inRange = byOrdinal.Where(p => p.Key < replicas).ToList();
        if (inRange.Count != replicas || !inRange.All(p => Workload.IsRunningAndReady(p.Value)))
        {
            return;
        }

        var outdated = inRange
            .Where(p => p.Key >= partition && (string?)p.Value["metadata"]?["labels"]?["controller-revision-hash"] != revision)
            .OrderByDescending(p => p.Key)
            .Select(p => p.Value)
            .FirstOrDefault();
        if (outdated is not null)
        {
            _store.Delete(ApiResources.Pods, ns, ObjectStore.NameOf(outdated), uidPrecondition: Workload.Uid(outdated));
            _logger.PodsDeleted(ApiResources.StatefulSets.Kind, ns, name, 1);
        }
    }

    private static int? Ordinal(string setName, string podName) =>
        podName.Length > setName.Length + 1 && podName.StartsWith(setName + "-", StringComparison.Ordinal)
        && int.TryParse(podName.AsSpan(setName.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            ? ordinal
            : null;
}
