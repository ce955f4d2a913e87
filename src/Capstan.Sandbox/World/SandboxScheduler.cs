using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Capstan.Sandbox.World;

/// <summary>
/// kube-scheduler's part in the sandbox: every pending pod of the default scheduler is checked against every node
/// by kube-scheduler's own filters (<see cref="PodFit"/>), then the survivors go to the extender's
/// <c>filter</c> and <c>prioritize</c> over HTTPS in the exact wire format (<c>nodeCacheCapable: true</c>: node names
/// only), and the pod is bound through the extender's <c>bind</c>, as a scheduler configured with Capstan as binder
/// does. When nothing fits, the pod gets <c>PodScheduled=False</c> with reason <c>Unschedulable</c> and kube-scheduler's
/// summary message, which is what Capstan's provisioning loop watches for.
/// </summary>
public sealed class SandboxScheduler
{
    private readonly ObjectStore _store;
    private readonly HttpClient? _extender;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="store">The cluster's objects.</param>
    /// <param name="extender">A client whose base address is the extender's URL prefix (<c>https://.../extender/</c>); null schedules without one.</param>
    /// <param name="time">The sandbox clock.</param>
    /// <param name="logger">For refused bindings and failed passes.</param>
    public SandboxScheduler(ObjectStore store, HttpClient? extender, TimeProvider time, ILogger<SandboxScheduler> logger)
    {
        _store = store;
        _extender = extender;
        _time = time;
        _logger = logger;
    }

    /// <summary>How often pending pods are tried again (kube-scheduler also retries on every node change).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                try
                {
                    await ScheduleOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ApiException or HttpRequestException or System.Text.Json.JsonException)
                {
                    SandboxLog.SchedulerPassFailed(_logger, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <summary>One pass over the pending pods.</summary>
    public async Task ScheduleOnceAsync(CancellationToken cancellationToken)
    {
        var (pending, _) = _store.List(ApiResources.Pods, filter: p =>
            string.IsNullOrEmpty((string?)p["spec"]?["nodeName"]) && p["metadata"]?["deletionTimestamp"] is null
            && ((string?)p["spec"]?["schedulerName"] ?? "default-scheduler") == "default-scheduler"
            && (string?)p["status"]?["phase"] is null or "Pending");
        if (pending.Count == 0)
        {
            return;
        }

        var (nodes, _) = _store.List(ApiResources.Nodes);
        var (pods, _) = _store.List(ApiResources.Pods, filter: p => !string.IsNullOrEmpty((string?)p["spec"]?["nodeName"]));
        var byNode = pods.GroupBy(p => (string)p["spec"]!["nodeName"]!).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        // Oldest first, as the scheduling queue orders equal priorities.
        foreach (var pod in pending.OrderBy(p => (string?)p["metadata"]?["creationTimestamp"], StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_store.Get(ApiResources.Pods, ObjectStore.NamespaceOf(pod), ObjectStore.NameOf(pod)) is not { } latest
                || !string.IsNullOrEmpty((string?)latest["spec"]?["nodeName"]) || latest["metadata"]?["deletionTimestamp"] is not null)
            {
                // Bound (Capstan binds pods to the nodes it launches for them) or gone since the list.
                continue;
            }

            var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
            var feasible = new List<string>();
            foreach (var node in nodes)
            {
                var name = ObjectStore.NameOf(node);
                if (PodFit.Check(pod, node, byNode.GetValueOrDefault(name) ?? []) is { } reason)
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
                else
                {
                    feasible.Add(name);
                }
            }

            var chosen = feasible.Count == 0 ? null : await ChooseAsync(pod, feasible, reasons, cancellationToken).ConfigureAwait(false);
            if (chosen is null)
            {
                MarkUnschedulable(pod, nodes.Count, reasons);
                continue;
            }

            if (await BindAsync(pod, chosen, cancellationToken).ConfigureAwait(false))
            {
                if (byNode.TryGetValue(chosen, out var list))
                {
                    list.Add(pod);
                }
                else
                {
                    byNode[chosen] = [pod];
                }
            }
        }
    }

    private async Task<string?> ChooseAsync(JsonObject pod, List<string> feasible, Dictionary<string, int> reasons, CancellationToken cancellationToken)
    {
        if (_extender is null)
        {
            return feasible[0];
        }

        var args = new JsonObject { ["Pod"] = pod.DeepClone(), ["Nodes"] = null, ["NodeNames"] = new JsonArray([.. feasible.Select(n => (JsonNode)n)]) };
        using var filterResponse = await _extender.PostAsJsonAsync("filter", args, cancellationToken).ConfigureAwait(false);
        filterResponse.EnsureSuccessStatusCode();
        var filtered = await filterResponse.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        if ((string?)filtered?["Error"] is { Length: > 0 } error)
        {
            reasons[error] = reasons.GetValueOrDefault(error) + feasible.Count;
            return null;
        }

        foreach (var map in new[] { "FailedNodes", "FailedAndUnresolvableNodes" })
        {
            foreach (var (_, message) in filtered?[map] as JsonObject ?? [])
            {
                var reason = (string?)message ?? "rejected by the extender";
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
        }

        var survivors = (filtered?["NodeNames"] as JsonArray ?? []).Select(n => (string?)n).OfType<string>().Where(feasible.Contains).ToList();
        if (survivors.Count == 0)
        {
            return null;
        }

        args["NodeNames"] = new JsonArray([.. survivors.Select(n => (JsonNode)n)]);
        using var priorityResponse = await _extender.PostAsJsonAsync("prioritize", args, cancellationToken).ConfigureAwait(false);
        priorityResponse.EnsureSuccessStatusCode();
        var priorities = await priorityResponse.Content.ReadFromJsonAsync<JsonArray>(cancellationToken).ConfigureAwait(false) ?? [];
        var scores = priorities.ToDictionary(p => (string?)p?["Host"] ?? "", p => JsonNumbers.Whole(p?["Score"]) ?? 0, StringComparer.Ordinal);
        // Ties keep the filter's order, as kube-scheduler's selectHost picks among equal scores.
        return survivors.OrderByDescending(n => scores.GetValueOrDefault(n)).First();
    }

    private async Task<bool> BindAsync(JsonObject pod, string node, CancellationToken cancellationToken)
    {
        var name = ObjectStore.NameOf(pod);
        var ns = ObjectStore.NamespaceOf(pod) ?? "default";
        if (_extender is null)
        {
            try
            {
                ApiServerBinding.Bind(_store, ns, name, node, (string?)pod["metadata"]?["uid"]);
                return true;
            }
            catch (ApiException)
            {
                return false;
            }
        }

        var args = new JsonObject { ["PodName"] = name, ["PodNamespace"] = ns, ["PodUID"] = (string?)pod["metadata"]?["uid"], ["Node"] = node };
        using var response = await _extender.PostAsJsonAsync("bind", args, cancellationToken).ConfigureAwait(false);
        var result = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || (string?)result?["Error"] is { Length: > 0 })
        {
            var reason = (string?)result?["Error"] is { Length: > 0 } error ? error : $"HTTP {(int)response.StatusCode}";
            SandboxLog.BindRefused(_logger, ns, name, node, reason);
            return false;
        }

        return true;
    }

    private void MarkUnschedulable(JsonObject pod, int nodeCount, Dictionary<string, int> reasons)
    {
        var message = string.Create(CultureInfo.InvariantCulture,
            $"0/{nodeCount} nodes are available: {string.Join(", ", reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}"))}.");
        if (reasons.Count == 0)
        {
            message = $"0/{nodeCount} nodes are available.";
        }

        var current = pod["status"]?["conditions"] as JsonArray ?? [];
        var scheduled = current.FirstOrDefault(c => (string?)c?["type"] == "PodScheduled");
        if ((string?)scheduled?["status"] == "False" && (string?)scheduled?["message"] == message)
        {
            return;
        }

        try
        {
            _store.Update(ApiResources.Pods, ObjectStore.NamespaceOf(pod), ObjectStore.NameOf(pod), p =>
            {
                if (!string.IsNullOrEmpty((string?)p["spec"]?["nodeName"]))
                {
                    return null;
                }

                PodConditions.Set(p, "PodScheduled", "False", "Unschedulable", message, _time.GetUtcNow());
                return p;
            }, status: true);
        }
        catch (ApiException)
        {
            // Gone or changed: the next pass looks again.
        }
    }
}
