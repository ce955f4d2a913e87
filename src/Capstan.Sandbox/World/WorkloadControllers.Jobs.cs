using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;

namespace Capstan.Sandbox.World;

/// <summary>The Job controller (and the TTL-after-finished controller): pods until enough have succeeded.</summary>
public sealed partial class WorkloadControllers
{
    private void SyncJobs(DateTimeOffset now)
    {
        var (jobs, _) = _store.List(ApiResources.Jobs);
        if (jobs.Count == 0)
        {
            return;
        }

        var pods = PodsByController();
        foreach (var job in jobs)
        {
            Guard(ApiResources.Jobs, job, () => SyncJob(job, pods.GetValueOrDefault(Workload.Uid(job)) ?? [], now));
        }
    }

    /// <summary>
    /// Runs up to <c>parallelism</c> pods until <c>completions</c> have succeeded (or, without completions, until
    /// one has and the rest are done); fails the Job past <c>backoffLimit</c> failed pods or its
    /// <c>activeDeadlineSeconds</c>; a finished Job's running pods are deleted, and the Job itself once
    /// <c>ttlSecondsAfterFinished</c> has passed. Failed pods are replaced at once (no back-off delay); indexed
    /// completion is not modelled.
    /// </summary>
    private void SyncJob(JsonObject job, List<JsonObject> pods, DateTimeOffset now)
    {
        if (Workload.IsTerminating(job))
        {
            return;
        }

        var ns = Workload.Namespace(job);
        var name = Workload.Name(job);
        var spec = job["spec"];
        var active = pods.Where(Workload.IsActive).ToList();
        // The counts never go down: a finished pod deleted since (by hand, by the pod GC) still counted.
        var succeeded = Math.Max(JsonNumbers.Count(job["status"]?["succeeded"]) ?? 0, pods.Count(p => Workload.Phase(p) == "Succeeded"));
        var failed = Math.Max(JsonNumbers.Count(job["status"]?["failed"]) ?? 0, pods.Count(p => Workload.Phase(p) == "Failed"));
        var parallelism = Math.Max(0, JsonNumbers.Count(spec?["parallelism"]) ?? 1);
        var completions = JsonNumbers.Count(spec?["completions"]);
        var backoffLimit = JsonNumbers.Count(spec?["backoffLimit"]) ?? 6;
        var suspended = Workload.Flag(spec?["suspend"]);
        var status = CopyStatus(job);

        if (FinishedAt(job) is { } finishedAt)
        {
            if (JsonNumbers.Whole(spec?["ttlSecondsAfterFinished"]) is { } ttl && finishedAt.AddSeconds(ttl) <= now)
            {
                _store.Delete(ApiResources.Jobs, ns, name, uidPrecondition: Workload.Uid(job));
                _logger.FinishedJobExpired(ns, name, ttl);
                return;
            }

            DeletePods(ApiResources.Jobs, job, active, active.Count);
            WriteJobCounts(status, 0, active, succeeded, failed);
            WriteStatus(ApiResources.Jobs, job, status);
            return;
        }

        if (!suspended && status["startTime"] is null)
        {
            status["startTime"] = ObjectStore.Timestamp(now);
        }

        var started = ObjectStore.ParseTimestamp(status["startTime"]);
        string? outcome = null;
        if (failed > backoffLimit)
        {
            outcome = "failed";
            Workload.SetCondition(status, "Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
        }
        else if (!suspended && JsonNumbers.Whole(spec?["activeDeadlineSeconds"]) is { } deadline && started is { } since && since.AddSeconds(deadline) <= now)
        {
            outcome = "failed";
            Workload.SetCondition(status, "Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline", now);
        }
        else if (completions is { } needed ? succeeded >= needed : succeeded > 0 && active.Count == 0)
        {
            outcome = "completed";
            status["completionTime"] = ObjectStore.Timestamp(now);
            Workload.SetCondition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
        }

        if (outcome is not null)
        {
            DeletePods(ApiResources.Jobs, job, active, active.Count);
            _logger.JobFinished(ns, name, outcome, succeeded, failed);
            WriteJobCounts(status, 0, active, succeeded, failed);
            WriteStatus(ApiResources.Jobs, job, status);
            return;
        }

        if (suspended)
        {
            Workload.SetCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now);
        }
        else if (status["conditions"] is JsonArray conditions && conditions.OfType<JsonObject>().Any(c => (string?)c["type"] == "Suspended"))
        {
            Workload.SetCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now);
        }

        // Once one pod of a Job without completions has succeeded, no more are made; the running ones finish.
        var wanted = suspended ? 0
            : completions is { } total ? Math.Min(parallelism, Math.Max(0, total - succeeded))
            : succeeded > 0 ? active.Count : parallelism;
        var diff = wanted - active.Count;
        if (diff > 0)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["batch.kubernetes.io/controller-uid"] = Workload.Uid(job),
                ["batch.kubernetes.io/job-name"] = name,
                ["controller-uid"] = Workload.Uid(job),
                ["job-name"] = name,
            };
            CreatePods(ApiResources.Jobs, job, spec?["template"], diff, labels);
        }
        else if (diff < 0)
        {
            DeletePods(ApiResources.Jobs, job, active, -diff);
        }

        WriteJobCounts(status, active.Count, active, succeeded, failed);
        WriteStatus(ApiResources.Jobs, job, status);
    }

    private static void WriteJobCounts(JsonObject status, int activeCount, List<JsonObject> active, int succeeded, int failed)
    {
        status["active"] = activeCount;
        status["ready"] = activeCount == 0 ? 0 : active.Count(Workload.IsReady);
        status["succeeded"] = succeeded;
        status["failed"] = failed;
    }

    /// <summary>When the Job reached Complete or Failed, or null while it runs.</summary>
    private static DateTimeOffset? FinishedAt(JsonObject job) =>
        (job["status"]?["conditions"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(c => (string?)c["type"] is "Complete" or "Failed" && (string?)c["status"] == "True")
            .Select(c => ObjectStore.ParseTimestamp(c["lastTransitionTime"]))
            .FirstOrDefault(t => t is not null);
}
