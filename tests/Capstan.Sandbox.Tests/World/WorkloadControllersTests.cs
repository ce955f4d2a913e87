using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;
using Capstan.Sandbox.World;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Sandbox.Tests.World;

/// <summary>The sandbox's kube-controller-manager against a real object store: what a tutorial's objects turn into.</summary>
public sealed class WorkloadControllersTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(15);
    private readonly ObjectStore _store = new(TimeProvider.System);
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public Task InitializeAsync()
    {
        var controllers = new WorkloadControllers(_store, TimeProvider.System, NullLogger<WorkloadControllers>.Instance);
        _run = controllers.RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(s_patience);
    }

    public void Dispose() => _stop.Dispose();

    [Fact]
    public async Task Deployment_OfThree_MakesOneReplicaSetAndThreePods_WithOwnersAndLabels()
    {
        var deployment = _store.Create(ApiResources.Deployments, Deployment("web", 3, "nginx:1"));

        await Until(() => Pods("app=web").Count == 3);
        var set = Assert.Single(_store.List(ApiResources.ReplicaSets).Items);
        var hash = (string?)set["metadata"]!["labels"]!["pod-template-hash"];
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{10}$", hash);
        Assert.Equal($"web-{hash}", ObjectStore.NameOf(set));
        Assert.Equal(3, JsonNumbers.Count(set["spec"]!["replicas"]));
        AssertControlledBy(set, "Deployment", deployment);
        Assert.Equal(hash, (string?)set["spec"]!["selector"]!["matchLabels"]!["pod-template-hash"]);

        foreach (var pod in Pods("app=web"))
        {
            Assert.StartsWith($"web-{hash}-", ObjectStore.NameOf(pod), StringComparison.Ordinal);
            Assert.Equal(ObjectStore.NameOf(set).Length + 6, ObjectStore.NameOf(pod).Length);
            Assert.Equal(hash, (string?)pod["metadata"]!["labels"]!["pod-template-hash"]);
            Assert.Equal("nginx:1", (string?)pod["spec"]!["containers"]![0]!["image"]);
            AssertControlledBy(pod, "ReplicaSet", set);
        }

        await Until(() => Count(Get(ApiResources.Deployments, "web"), "replicas") == 3 && Count(Get(ApiResources.ReplicaSets, ObjectStore.NameOf(set)), "replicas") == 3);
        var status = Get(ApiResources.Deployments, "web")["status"]!;
        Assert.Equal(3, JsonNumbers.Count(status["updatedReplicas"]));
        Assert.Equal(0, JsonNumbers.Count(status["readyReplicas"]));
        Assert.Equal(1, JsonNumbers.Count(status["observedGeneration"]));
        Assert.Equal("False", PodConditions.StatusOf(Get(ApiResources.Deployments, "web"), "Available"));
    }

    [Fact]
    public async Task Deployment_WithReadyPods_IsAvailable_AndCountsThemReady()
    {
        _store.Create(ApiResources.Deployments, Deployment("web", 2, "nginx:1"));
        await Until(() => Pods("app=web").Count == 2);
        AddNode("node-a");
        foreach (var pod in Pods("app=web"))
        {
            RunReady(pod, "node-a");
        }

        await Until(() => Count(Get(ApiResources.Deployments, "web"), "availableReplicas") == 2);
        var deployment = Get(ApiResources.Deployments, "web");
        Assert.Equal(2, Count(deployment, "readyReplicas"));
        Assert.Equal("True", PodConditions.StatusOf(deployment, "Available"));
        Assert.Equal("True", PodConditions.StatusOf(deployment, "Progressing"));
        await Until(() => (string?)Condition(Get(ApiResources.Deployments, "web"), "Progressing")?["reason"] == "NewReplicaSetAvailable");
    }

    [Fact]
    public async Task Deployment_ScaledToTenThenTwo_KeepsTheScheduledPods()
    {
        _store.Create(ApiResources.Deployments, Deployment("web", 3, "nginx:1"));
        await Until(() => Pods("app=web").Count == 3);
        Scale("web", 10);
        await Until(() => Pods("app=web").Count == 10);

        // The two that would go first were all unbound are the ones scheduled (bound, still pending).
        AddNode("node-a");
        var pods = Pods("app=web");
        pods.Sort(Workload.DeletionOrder);
        var bound = pods.Take(2).Select(p => Bind(p, "node-a")).Select(ObjectStore.NameOf).ToHashSet();

        Scale("web", 2);
        await Until(() => Pods("app=web").Count == 2);
        Assert.Equal(bound, Pods("app=web").Select(ObjectStore.NameOf).ToHashSet());
        await Until(() => Count(Get(ApiResources.Deployments, "web"), "replicas") == 2);
    }

    [Fact]
    public void DeletionOrder_PrefersUnscheduledThenPendingThenNotReadyThenNewer()
    {
        var now = TimeProvider.System.GetUtcNow();
        JsonObject Pod(string name, string? node, string phase, bool ready, int ageSeconds)
        {
            var pod = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["creationTimestamp"] = ObjectStore.Timestamp(now.AddSeconds(-ageSeconds)) },
                ["spec"] = new JsonObject { ["nodeName"] = node },
                ["status"] = new JsonObject { ["phase"] = phase },
            };
            PodConditions.Set(pod, "Ready", ready ? "True" : "False", null, null, now);
            return pod;
        }

        var pods = new List<JsonObject>
        {
            Pod("ready-old", "n", "Running", true, 100),
            Pod("ready-new", "n", "Running", true, 10),
            Pod("running-not-ready", "n", "Running", false, 100),
            Pod("bound-pending", "n", "Pending", false, 5),
            Pod("unbound-old", null, "Pending", false, 100),
            Pod("unbound-new", null, "Pending", false, 10),
        };
        pods.Sort(Workload.DeletionOrder);

        Assert.Equal(["unbound-new", "unbound-old", "bound-pending", "running-not-ready", "ready-new", "ready-old"], pods.Select(ObjectStore.NameOf));
    }

    [Fact]
    public void TemplateHash_IsStableTenSafeCharacters_AndFollowsTheTemplate()
    {
        var a = JsonNode.Parse("""{"metadata":{"labels":{"app":"web","tier":"front"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}""");
        var reordered = JsonNode.Parse("""{"spec":{"containers":[{"image":"nginx:1","name":"c"}]},"metadata":{"labels":{"tier":"front","app":"web"}}}""");
        var changed = JsonNode.Parse("""{"metadata":{"labels":{"app":"web","tier":"front"}},"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}""");

        var hash = Workload.TemplateHash(a, 0);
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{10}$", hash);
        Assert.Equal(hash, Workload.TemplateHash(reordered, 0));
        Assert.NotEqual(hash, Workload.TemplateHash(changed, 0));
        Assert.NotEqual(hash, Workload.TemplateHash(a, 1));
    }

    [Fact]
    public async Task Deployment_TemplateChange_MakesANewReplicaSet_AndScalesTheOldToZero()
    {
        _store.Create(ApiResources.Deployments, Deployment("web", 3, "nginx:1"));
        await Until(() => Pods("app=web").Count == 3);
        var first = ObjectStore.NameOf(Assert.Single(_store.List(ApiResources.ReplicaSets).Items));

        _store.Update(ApiResources.Deployments, "default", "web", d =>
        {
            d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:2";
            return d;
        });

        await Until(() => _store.List(ApiResources.ReplicaSets).Items.Count == 2
            && Pods("app=web").Count == 3
            && Pods("app=web").All(p => (string?)p["spec"]!["containers"]![0]!["image"] == "nginx:2"));
        var sets = _store.List(ApiResources.ReplicaSets).Items;
        var old = Assert.Single(sets, s => ObjectStore.NameOf(s) == first);
        var current = Assert.Single(sets, s => ObjectStore.NameOf(s) != first);
        Assert.Equal(0, JsonNumbers.Count(old["spec"]!["replicas"]));
        Assert.Equal(3, JsonNumbers.Count(current["spec"]!["replicas"]));
        Assert.Equal("2", (string?)current["metadata"]!["annotations"]![Workload.RevisionAnnotation]);
        await Until(() => (string?)Get(ApiResources.Deployments, "web")["metadata"]!["annotations"]?[Workload.RevisionAnnotation] == "2"
            && JsonNumbers.Count(Get(ApiResources.Deployments, "web")["status"]?["observedGeneration"]) == 2);
    }

    [Fact]
    public async Task DeletedDeployment_TakesItsReplicaSetsAndPodsWithIt()
    {
        _store.Create(ApiResources.Deployments, Deployment("web", 3, "nginx:1"));
        await Until(() => Pods("app=web").Count == 3);
        AddNode("node-a");
        var bound = ObjectStore.NameOf(RunReady(Pods("app=web")[0], "node-a"));

        _store.Delete(ApiResources.Deployments, "default", "web");

        await Until(() => _store.List(ApiResources.ReplicaSets).Items.Count == 0
            && _store.List(ApiResources.Pods).Items.All(p => p["metadata"]!["deletionTimestamp"] is not null));
        var left = Assert.Single(_store.List(ApiResources.Pods).Items);
        Assert.Equal(bound, ObjectStore.NameOf(left));
    }

    [Fact]
    public async Task DeletedNode_ItsPodsGoAtOnce_AndAreReplacedUnbound()
    {
        _store.Create(ApiResources.Deployments, Deployment("web", 2, "nginx:1"));
        await Until(() => Pods("app=web").Count == 2);
        AddNode("node-a");
        AddNode("node-b");
        var pods = Pods("app=web");
        var lost = ObjectStore.NameOf(RunReady(pods[0], "node-a"));
        var kept = ObjectStore.NameOf(RunReady(pods[1], "node-b"));

        _store.Delete(ApiResources.Nodes, null, "node-a");

        await Until(() => Pods("app=web").Count == 2 && Pods("app=web").All(p => ObjectStore.NameOf(p) != lost));
        var now = Pods("app=web");
        Assert.Contains(now, p => ObjectStore.NameOf(p) == kept);
        var replacement = Assert.Single(now, p => ObjectStore.NameOf(p) != kept);
        Assert.Null((string?)replacement["spec"]!["nodeName"]);
        Assert.Equal("Pending", (string?)replacement["status"]!["phase"]);
    }

    [Fact]
    public async Task StatefulSet_Parallel_NamesPodsByOrdinal_AndRemovesTheHighestFirst()
    {
        var set = _store.Create(ApiResources.StatefulSets, StatefulSet("db", 3, parallel: true));

        await Until(() => Pods("app=db").Count == 3);
        Assert.Equal(["db-0", "db-1", "db-2"], Pods("app=db").Select(ObjectStore.NameOf).Order(StringComparer.Ordinal));
        foreach (var pod in Pods("app=db"))
        {
            AssertControlledBy(pod, "StatefulSet", set);
            Assert.Equal(ObjectStore.NameOf(pod), (string?)pod["spec"]!["hostname"]);
            Assert.Equal("db", (string?)pod["spec"]!["subdomain"]);
            Assert.Equal(ObjectStore.NameOf(pod), (string?)pod["metadata"]!["labels"]!["statefulset.kubernetes.io/pod-name"]);
        }

        _store.Update(ApiResources.StatefulSets, "default", "db", s =>
        {
            s["spec"]!["replicas"] = 1;
            return s;
        });
        await Until(() => Pods("app=db").Count == 1);
        Assert.Equal("db-0", ObjectStore.NameOf(Pods("app=db")[0]));
        await Until(() => Count(Get(ApiResources.StatefulSets, "db"), "replicas") == 1);
    }

    [Fact]
    public async Task StatefulSet_OrderedReady_MakesTheNextPodOnlyWhenTheLastIsReady()
    {
        _store.Create(ApiResources.StatefulSets, StatefulSet("db", 3, parallel: false));
        AddNode("node-a");

        await Until(() => Pods("app=db").Count == 1);
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);
        Assert.Equal("db-0", ObjectStore.NameOf(Assert.Single(Pods("app=db"))));

        RunReady(Get(ApiResources.Pods, "db-0"), "node-a");
        await Until(() => Pods("app=db").Count == 2);
        Assert.NotNull(_store.Get(ApiResources.Pods, "default", "db-1"));
        RunReady(Get(ApiResources.Pods, "db-1"), "node-a");
        await Until(() => _store.Get(ApiResources.Pods, "default", "db-2") is not null);
        RunReady(Get(ApiResources.Pods, "db-2"), "node-a");
        await Until(() => Count(Get(ApiResources.StatefulSets, "db"), "readyReplicas") == 3);
    }

    [Fact]
    public async Task Job_CompletesWhenItsPodsSucceed()
    {
        _store.Create(ApiResources.Jobs, Job("batch", completions: 3, parallelism: 2));

        await Until(() => Pods("job-name=batch").Count == 2);
        await Until(() => Count(Get(ApiResources.Jobs, "batch"), "active") == 2);
        foreach (var pod in Pods("job-name=batch"))
        {
            Succeed(pod);
        }

        // Two of three done: one more pod, then the Job is complete once it succeeds too.
        await Until(() => Pods("job-name=batch").Count(p => (string?)p["status"]!["phase"] == "Pending") == 1);
        Assert.Null(PodConditions.StatusOf(Get(ApiResources.Jobs, "batch"), "Complete"));
        Succeed(Assert.Single(Pods("job-name=batch"), p => (string?)p["status"]!["phase"] == "Pending"));

        await Until(() => PodConditions.StatusOf(Get(ApiResources.Jobs, "batch"), "Complete") == "True");
        var status = Get(ApiResources.Jobs, "batch")["status"]!;
        Assert.Equal(3, JsonNumbers.Count(status["succeeded"]));
        Assert.Equal(0, JsonNumbers.Count(status["active"]));
        Assert.NotNull(status["completionTime"]);
        Assert.NotNull(status["startTime"]);
        Assert.Equal(3, Pods("job-name=batch").Count);
    }

    [Fact]
    public async Task Job_PastItsBackoffLimit_Fails_AndMakesNoMorePods()
    {
        var job = Job("flaky", completions: 1, parallelism: 1);
        job["spec"]!["backoffLimit"] = 1;
        _store.Create(ApiResources.Jobs, job);

        await Until(() => Pods("job-name=flaky").Count(p => (string?)p["status"]!["phase"] == "Pending") == 1);
        Fail(Pods("job-name=flaky").Single(p => (string?)p["status"]!["phase"] == "Pending"));
        await Until(() => Pods("job-name=flaky").Count(p => (string?)p["status"]!["phase"] == "Pending") == 1);
        Fail(Pods("job-name=flaky").Single(p => (string?)p["status"]!["phase"] == "Pending"));

        await Until(() => PodConditions.StatusOf(Get(ApiResources.Jobs, "flaky"), "Failed") == "True");
        Assert.Equal("BackoffLimitExceeded", (string?)Condition(Get(ApiResources.Jobs, "flaky"), "Failed")!["reason"]);
        Assert.Equal(2, Count(Get(ApiResources.Jobs, "flaky"), "failed"));
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);
        Assert.Equal(2, Pods("job-name=flaky").Count);
    }

    [Fact]
    public async Task Job_WithNoTimeToLiveAfterFinishing_IsDeletedWithItsPods()
    {
        var job = Job("once", completions: 1, parallelism: 1);
        job["spec"]!["ttlSecondsAfterFinished"] = 0;
        _store.Create(ApiResources.Jobs, job);

        await Until(() => Pods("job-name=once").Count == 1);
        Succeed(Pods("job-name=once")[0]);

        await Until(() => _store.Get(ApiResources.Jobs, "default", "once") is null && Pods("job-name=once").Count == 0);
    }

    [Fact]
    public async Task Deployment_Recreate_ScalesTheNewReplicaSetUpOnlyOnceTheOldPodsAreGone()
    {
        var deployment = Deployment("web", 2, "nginx:1");
        deployment["spec"]!["strategy"] = new JsonObject { ["type"] = "Recreate" };
        _store.Create(ApiResources.Deployments, deployment);
        await Until(() => Pods("app=web").Count == 2);
        AddNode("node-a");
        var running = ObjectStore.NameOf(RunReady(Pods("app=web")[0], "node-a"));

        _store.Update(ApiResources.Deployments, "default", "web", d =>
        {
            d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:2";
            return d;
        });

        // The running pod is terminating (its kubelet has not confirmed): the new ReplicaSet waits at zero.
        await Until(() => _store.List(ApiResources.ReplicaSets).Items.Count == 2 && Pods("app=web").Count == 0);
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);
        Assert.Empty(Pods("app=web"));
        Assert.NotNull(_store.Get(ApiResources.Pods, "default", running));

        _store.Delete(ApiResources.Pods, "default", running, gracePeriodSeconds: 0);
        await Until(() => Pods("app=web").Count == 2 && Pods("app=web").All(p => (string?)p["spec"]!["containers"]![0]!["image"] == "nginx:2"));
    }

    [Fact]
    public async Task OwnedObject_WhoseOwnerNeverExisted_IsCollected()
    {
        _store.Create(ApiResources.Pods, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "stray",
                ["labels"] = new JsonObject { ["app"] = "stray" },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "gone", ["uid"] = "0000", ["controller"] = true,
                }),
            },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
        });
        _store.Create(ApiResources.Pods, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "bare", ["labels"] = new JsonObject { ["app"] = "stray" } },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
        });

        await Until(() => _store.Get(ApiResources.Pods, "default", "stray") is null);
        Assert.NotNull(_store.Get(ApiResources.Pods, "default", "bare"));
    }

    [Fact]
    public async Task Budget_Status_CountsReadyPodsAgainstItsMinimumOrItsMaximumUnavailable()
    {
        _store.Create(ApiResources.Deployments, Deployment("web", 4, "nginx:1"));
        await Until(() => Pods("app=web").Count == 4);
        AddNode("node-a");
        foreach (var pod in Pods("app=web").Take(3))
        {
            RunReady(pod, "node-a");
        }

        _store.Create(ApiResources.DisruptionBudgets, Budget("web-min", "minAvailable", JsonValue.Create(2)));
        _store.Create(ApiResources.DisruptionBudgets, Budget("web-max", "maxUnavailable", JsonValue.Create("25%")));

        await Until(() => JsonNumbers.Count(Get(ApiResources.DisruptionBudgets, "web-min")["status"]?["currentHealthy"]) == 3
            && JsonNumbers.Count(Get(ApiResources.DisruptionBudgets, "web-max")["status"]?["currentHealthy"]) == 3);
        var min = Get(ApiResources.DisruptionBudgets, "web-min")["status"]!;
        Assert.Equal(2, JsonNumbers.Count(min["desiredHealthy"]));
        Assert.Equal(4, JsonNumbers.Count(min["expectedPods"]));
        Assert.Equal(1, JsonNumbers.Count(min["disruptionsAllowed"]));
        Assert.Equal("True", PodConditions.StatusOf(Get(ApiResources.DisruptionBudgets, "web-min"), "DisruptionAllowed"));

        // 25% of the Deployment's four may be unavailable: three must be healthy, and three are.
        var max = Get(ApiResources.DisruptionBudgets, "web-max")["status"]!;
        Assert.Equal(4, JsonNumbers.Count(max["expectedPods"]));
        Assert.Equal(3, JsonNumbers.Count(max["desiredHealthy"]));
        Assert.Equal(0, JsonNumbers.Count(max["disruptionsAllowed"]));
        Assert.Equal("False", PodConditions.StatusOf(Get(ApiResources.DisruptionBudgets, "web-max"), "DisruptionAllowed"));
    }

    [Fact]
    public async Task DaemonSet_Status_CountsTheNodesItWouldRunOn()
    {
        AddNode("node-a", ("intent", "apps"));
        AddNode("node-b", ("intent", "apps"));
        AddNode("node-c", ("intent", "batch"));
        _store.Create(ApiResources.DaemonSets, (JsonObject)JsonNode.Parse("""
            {"metadata":{"name":"agent"},
             "spec":{"selector":{"matchLabels":{"app":"agent"}},
                     "template":{"metadata":{"labels":{"app":"agent"}},
                                 "spec":{"nodeSelector":{"intent":"apps"},"containers":[{"name":"a","image":"agent:1"}]}}}}
            """)!);

        await Until(() => JsonNumbers.Count(Get(ApiResources.DaemonSets, "agent")["status"]?["desiredNumberScheduled"]) == 2);
        Assert.Equal(2, JsonNumbers.Count(Get(ApiResources.DaemonSets, "agent")["status"]!["numberUnavailable"]));
        Assert.Empty(Pods("app=agent"));
    }

    private JsonObject Get(ApiResource resource, string name) =>
        _store.Get(resource, "default", name) ?? throw new Xunit.Sdk.XunitException($"{resource.Kind} {name} does not exist");

    private static int? Count(JsonObject obj, string field) => JsonNumbers.Count(obj["status"]?[field]);

    private static JsonObject? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    /// <summary>The live (not terminating) pods whose labels match <paramref name="selector"/>.</summary>
    private List<JsonObject> Pods(string selector)
    {
        var match = LabelSelector.Parse(selector)!;
        return [.. _store.List(ApiResources.Pods, "default", p => match.Matches(p) && p["metadata"]!["deletionTimestamp"] is null).Items];
    }

    private static void AssertControlledBy(JsonObject obj, string kind, JsonObject owner)
    {
        var reference = Assert.Single(obj["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal(kind, (string?)reference["kind"]);
        Assert.Equal(ObjectStore.NameOf(owner), (string?)reference["name"]);
        Assert.Equal((string?)owner["metadata"]!["uid"], (string?)reference["uid"]);
        Assert.True((bool?)reference["controller"]);
        Assert.True((bool?)reference["blockOwnerDeletion"]);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + s_patience;
        while (!condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                Assert.Fail("the workload controllers did not get there in time");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }

    private void Scale(string deployment, int replicas) =>
        _store.Update(ApiResources.Deployments, "default", deployment, d =>
        {
            d["spec"]!["replicas"] = replicas;
            return d;
        });

    private void AddNode(string name, params (string Key, string Value)[] labels)
    {
        var labelObject = new JsonObject { ["kubernetes.io/hostname"] = name };
        foreach (var (key, value) in labels)
        {
            labelObject[key] = value;
        }

        _store.Create(ApiResources.Nodes, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labelObject } });
    }

    /// <summary>What the scheduler would do: bind the pod (it stays pending until a kubelet runs it).</summary>
    private JsonObject Bind(JsonObject pod, string node) =>
        _store.Update(ApiResources.Pods, "default", ObjectStore.NameOf(pod), p =>
        {
            p["spec"]!["nodeName"] = node;
            return p;
        }, internalWrite: true)!;

    /// <summary>What the scheduler and the kubelet would do: bind the pod, run it, report it Ready.</summary>
    private JsonObject RunReady(JsonObject pod, string node) =>
        _store.Update(ApiResources.Pods, "default", ObjectStore.NameOf(pod), p =>
        {
            p["spec"]!["nodeName"] = node;
            p["status"]!["phase"] = "Running";
            PodConditions.Set(p, "Ready", "True", null, null, TimeProvider.System.GetUtcNow());
            return p;
        }, internalWrite: true)!;

    private void Succeed(JsonObject pod) =>
        _store.Update(ApiResources.Pods, "default", ObjectStore.NameOf(pod), p =>
        {
            p["status"]!["phase"] = "Succeeded";
            PodConditions.Set(p, "Ready", "False", "PodCompleted", null, TimeProvider.System.GetUtcNow());
            return p;
        }, internalWrite: true);

    private void Fail(JsonObject pod) =>
        _store.Update(ApiResources.Pods, "default", ObjectStore.NameOf(pod), p =>
        {
            p["status"]!["phase"] = "Failed";
            return p;
        }, internalWrite: true);

    private static JsonObject Deployment(string name, int replicas, string image) => (JsonObject)JsonNode.Parse($$$"""
        {"metadata":{"name":"{{{name}}}"},
         "spec":{"replicas":{{{replicas}}},"selector":{"matchLabels":{"app":"{{{name}}}"} },
                 "template":{"metadata":{"labels":{"app":"{{{name}}}"} },
                             "spec":{"containers":[{"name":"c","image":"{{{image}}}","resources":{"requests":{"cpu":"1"} } }]} } } }
        """)!;

    private static JsonObject StatefulSet(string name, int replicas, bool parallel) => (JsonObject)JsonNode.Parse($$$"""
        {"metadata":{"name":"{{{name}}}"},
         "spec":{"replicas":{{{replicas}}},"serviceName":"{{{name}}}","podManagementPolicy":"{{{(parallel ? "Parallel" : "OrderedReady")}}}",
                 "selector":{"matchLabels":{"app":"{{{name}}}"} },
                 "template":{"metadata":{"labels":{"app":"{{{name}}}"} },
                             "spec":{"containers":[{"name":"c","image":"postgres:16"}]} } } }
        """)!;

    private static JsonObject Job(string name, int completions, int parallelism) => (JsonObject)JsonNode.Parse($$$"""
        {"metadata":{"name":"{{{name}}}"},
         "spec":{"completions":{{{completions}}},"parallelism":{{{parallelism}}},
                 "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]} } } }
        """)!;

    private static JsonObject Budget(string name, string field, JsonNode amount) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            [field] = amount,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
        },
    };
}
