using System.Globalization;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;

namespace Capstan.Sandbox.World;

/// <summary>The Deployment controller: one ReplicaSet per pod-template revision, and the rollout between them.</summary>
public sealed partial class WorkloadControllers
{
    private void SyncDeployments(DateTimeOffset now)
    {
        var (deployments, _) = _store.List(ApiResources.Deployments);
        if (deployments.Count == 0)
        {
            return;
        }

        var sets = Workload.ByController(_store.List(ApiResources.ReplicaSets).Items);
        var pods = PodsByController();
        foreach (var deployment in deployments)
        {
            Guard(ApiResources.Deployments, deployment, () => SyncDeployment(deployment, sets.GetValueOrDefault(Workload.Uid(deployment)) ?? [], pods, now));
        }
    }

    /// <summary>
    /// Finds (or makes) the ReplicaSet of the current template and moves the replicas onto it. The rollout is
    /// simplified: with <c>RollingUpdate</c> the new ReplicaSet gets every replica at once and the old ones go to
    /// zero (no surge or unavailability pacing); with <c>Recreate</c> the new one is scaled up only once the old
    /// ones' pods are gone, as the real controller does.
    /// </summary>
    private void SyncDeployment(JsonObject deployment, List<JsonObject> sets, Dictionary<string, List<JsonObject>> pods, DateTimeOffset now)
    {
        if (Workload.IsTerminating(deployment) || deployment["spec"]?["template"] is not JsonObject template)
        {
            return;
        }

        var ns = Workload.Namespace(deployment);
        var name = Workload.Name(deployment);
        var replicas = Workload.Replicas(deployment);
        var paused = Workload.Flag(deployment["spec"]?["paused"]);
        var recreate = (string?)deployment["spec"]?["strategy"]?["type"] == "Recreate";
        var live = sets.Where(s => !Workload.IsTerminating(s)).ToList();
        var current = live.FirstOrDefault(s => Workload.SameTemplate(s["spec"]?["template"], template));
        var collisions = JsonNumbers.Count(deployment["status"]?["collisionCount"]) ?? 0;
        var old = live.Where(s => s != current).ToList();
        var oldPods = old.Sum(s => (pods.GetValueOrDefault(Workload.Uid(s)) ?? []).Count(p => !Workload.IsFinished(p)));

        if (current is null && !paused)
        {
            var hash = Workload.TemplateHash(template, collisions);
            var setName = $"{name}-{hash}";
            if (_store.Get(ApiResources.ReplicaSets, ns, setName) is not null)
            {
                // The name is another template's (or another owner's): a hash collision; the next pass hashes again.
                var bumped = CopyStatus(deployment);
                bumped["collisionCount"] = collisions + 1;
                WriteStatus(ApiResources.Deployments, deployment, bumped);
                return;
            }

            var revision = sets.Select(Revision).DefaultIfEmpty(0).Max() + 1;
            current = _store.Create(ApiResources.ReplicaSets, NewReplicaSet(deployment, template, setName, hash, recreate && oldPods > 0 ? 0 : replicas, revision));
            _logger.ReplicaSetCreated(ns, name, setName, revision);
        }

        if (!paused)
        {
            foreach (var set in old.Where(s => Workload.Replicas(s) != 0))
            {
                ScaleSet(deployment, set, 0);
            }

            if (current is not null)
            {
                var target = recreate && oldPods > 0 ? 0 : replicas;
                if (Workload.Replicas(current) != target)
                {
                    ScaleSet(deployment, current, target);
                }

                MarkRevision(deployment, current, sets);
            }

            PruneHistory(deployment, old, pods);
        }

        WriteStatus(ApiResources.Deployments, deployment, DeploymentStatus(deployment, current, live, replicas, now));
    }

    private static JsonObject NewReplicaSet(JsonObject deployment, JsonObject template, string setName, string hash, int replicas, long revision)
    {
        var podTemplate = (JsonObject)template.DeepClone();
        var metadata = podTemplate["metadata"] as JsonObject ?? new JsonObject();
        podTemplate["metadata"] = metadata;
        var labels = metadata["labels"] as JsonObject ?? new JsonObject();
        metadata["labels"] = labels;
        labels[Workload.TemplateHashLabel] = hash;

        var selector = deployment["spec"]?["selector"]?.DeepClone() as JsonObject ?? new JsonObject();
        var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
        selector["matchLabels"] = matchLabels;
        matchLabels[Workload.TemplateHashLabel] = hash;

        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = setName,
                ["namespace"] = Workload.Namespace(deployment),
                ["labels"] = labels.DeepClone(),
                ["annotations"] = new JsonObject
                {
                    [Workload.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/desired-replicas"] = Workload.Replicas(deployment).ToString(CultureInfo.InvariantCulture),
                },
                ["ownerReferences"] = new JsonArray(Workload.OwnerReference(ApiResources.Deployments, deployment)),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["minReadySeconds"] = Workload.MinReadySeconds(deployment),
                ["selector"] = selector,
                ["template"] = podTemplate,
            },
        };
    }

    private void ScaleSet(JsonObject deployment, JsonObject set, int replicas)
    {
        _store.Update(ApiResources.ReplicaSets, ObjectStore.NamespaceOf(set), ObjectStore.NameOf(set), current =>
        {
            if (Workload.Uid(current) != Workload.Uid(set))
            {
                return null;
            }

            var spec = current["spec"] as JsonObject ?? new JsonObject();
            current["spec"] = spec;
            spec["replicas"] = replicas;
            var annotations = current["metadata"]!["annotations"] as JsonObject ?? new JsonObject();
            current["metadata"]!["annotations"] = annotations;
            annotations["deployment.kubernetes.io/desired-replicas"] = Workload.Replicas(deployment).ToString(CultureInfo.InvariantCulture);
            return current;
        }, internalWrite: true);
        var (ns, name, setName, from) = (Workload.Namespace(deployment), Workload.Name(deployment), ObjectStore.NameOf(set), Workload.Replicas(set));
        _logger.ReplicaSetScaled(ns, name, setName, from, replicas);
    }

    /// <summary>
    /// The current ReplicaSet carries the highest revision (an older template rolled back to gets a new one), and the
    /// Deployment shows it, as <c>kubectl rollout history</c> reads them.
    /// </summary>
    private void MarkRevision(JsonObject deployment, JsonObject current, List<JsonObject> sets)
    {
        var highest = sets.Select(Revision).DefaultIfEmpty(0).Max();
        var revision = Revision(current);
        if (revision < highest || (revision == highest && sets.Count(s => Revision(s) == highest) > 1))
        {
            revision = highest + 1;
            SetAnnotation(ApiResources.ReplicaSets, current, Workload.RevisionAnnotation, revision.ToString(CultureInfo.InvariantCulture));
        }

        var text = revision.ToString(CultureInfo.InvariantCulture);
        if ((string?)deployment["metadata"]?["annotations"]?[Workload.RevisionAnnotation] != text)
        {
            SetAnnotation(ApiResources.Deployments, deployment, Workload.RevisionAnnotation, text);
        }
    }

    private void SetAnnotation(ApiResource resource, JsonObject obj, string key, string value) =>
        _store.Update(resource, ObjectStore.NamespaceOf(obj), ObjectStore.NameOf(obj), current =>
        {
            if (Workload.Uid(current) != Workload.Uid(obj))
            {
                return null;
            }

            var annotations = current["metadata"]!["annotations"] as JsonObject ?? new JsonObject();
            current["metadata"]!["annotations"] = annotations;
            annotations[key] = value;
            return current;
        }, internalWrite: true);

    /// <summary>Old ReplicaSets scaled to zero with no pods left go, oldest first, beyond <c>revisionHistoryLimit</c>.</summary>
    private void PruneHistory(JsonObject deployment, List<JsonObject> old, Dictionary<string, List<JsonObject>> pods)
    {
        var limit = JsonNumbers.Count(deployment["spec"]?["revisionHistoryLimit"]) ?? 10;
        var idle = old
            .Where(s => Workload.Replicas(s) == 0 && (JsonNumbers.Count(s["status"]?["replicas"]) ?? 0) == 0 && !pods.ContainsKey(Workload.Uid(s)))
            .OrderBy(Revision)
            .ToList();
        foreach (var set in idle.Take(Math.Max(0, idle.Count - limit)))
        {
            _store.Delete(ApiResources.ReplicaSets, ObjectStore.NamespaceOf(set), ObjectStore.NameOf(set), uidPrecondition: Workload.Uid(set));
        }
    }

    private static long Revision(JsonObject set) =>
        long.TryParse((string?)set["metadata"]?["annotations"]?[Workload.RevisionAnnotation], NumberStyles.Integer, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private static JsonObject CopyStatus(JsonObject obj) => obj["status"]?.DeepClone() as JsonObject ?? new JsonObject();

    private static JsonObject DeploymentStatus(JsonObject deployment, JsonObject? current, List<JsonObject> sets, int replicas, DateTimeOffset now)
    {
        int Sum(string field) => sets.Sum(s => JsonNumbers.Count(s["status"]?[field]) ?? 0);

        var total = Sum("replicas");
        var ready = Sum("readyReplicas");
        var available = Sum("availableReplicas");
        var updated = current is null ? 0 : JsonNumbers.Count(current["status"]?["replicas"]) ?? 0;
        var status = CopyStatus(deployment);
        status["observedGeneration"] = Workload.Generation(deployment);
        status["replicas"] = total;
        status["updatedReplicas"] = updated;
        status["readyReplicas"] = ready;
        status["availableReplicas"] = available;
        status["unavailableReplicas"] = Math.Max(0, replicas - available);

        var maxUnavailable = (string?)deployment["spec"]?["strategy"]?["type"] == "Recreate"
            ? 0
            : Workload.Amount(deployment["spec"]?["strategy"]?["rollingUpdate"]?["maxUnavailable"] ?? "25%", replicas, roundUp: false);
        if (available >= replicas - maxUnavailable)
        {
            Workload.SetCondition(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, withUpdateTime: true);
        }
        else
        {
            Workload.SetCondition(status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, withUpdateTime: true);
        }

        var setName = current is null ? "" : ObjectStore.NameOf(current);
        if (current is not null && updated == replicas && available == replicas && total == replicas)
        {
            Workload.SetCondition(status, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{setName}\" has successfully progressed.", now, withUpdateTime: true);
        }
        else if (current is not null)
        {
            Workload.SetCondition(status, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{setName}\" is progressing.", now, withUpdateTime: true);
        }

        return status;
    }
}
