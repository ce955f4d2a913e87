using System.Collections.Concurrent;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>What an injected fault does to the request it takes.</summary>
public enum FaultMode
{
    /// <summary>Answers the status without touching anything.</summary>
    Reject,

    /// <summary>Does the work, then answers the status instead of the result: the client cannot tell it succeeded.</summary>
    AfterApplying,

    /// <summary>Never answers (until the client gives up).</summary>
    Hang,
}

/// <summary>One injected fault: the status (and <c>Retry-After</c>, in seconds, when given) a request gets, and how.</summary>
public readonly record struct ApiFault(string Method, string Path, int Status, int? RetryAfterSeconds, FaultMode Mode);

/// <summary>
/// The misbehaviour an <see cref="ApiServer"/> can be told to show, as a real API server under load, behind a flaky
/// load balancer or without some objects' permission does: the next requests of a method and path failing (before or
/// after the work is done, or never answered), writes failing at random from a seeded generator, lists of a
/// collection failing, bindings failing, and evictions refused as a disruption budget refuses them. Every member is
/// safe to call while requests are being served.
/// </summary>
public sealed class ApiFaults
{
    private readonly Lock _gate = new();
    private readonly List<ApiFault> _queued = [];
    private readonly ConcurrentDictionary<string, int> _listFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _blockedEvictions = new(StringComparer.Ordinal);
    private Random? _chaos;
    private double _chaosProbability;
    private int _chaosInjected;

    /// <summary>When set, every binding answers this status (with a Status body) instead of binding.</summary>
    public int? BindingFailure { get; set; }

    /// <summary>Writes answered with a random fault so far.</summary>
    public int RandomFaultsInjected => Volatile.Read(ref _chaosInjected);

    /// <summary>
    /// Makes the next <paramref name="times"/> requests of <paramref name="method"/> on exactly <paramref name="path"/>
    /// fail with <paramref name="status"/> (a Status body, and a <c>Retry-After</c> header when given).
    /// </summary>
    public void Inject(string method, string path, int status, int times = 1, int? retryAfterSeconds = null, FaultMode mode = FaultMode.Reject)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _queued.Add(new ApiFault(method, path, status, retryAfterSeconds, mode));
            }
        }
    }

    /// <summary>Drops the injected faults not yet taken whose path satisfies <paramref name="path"/>; returns how many.</summary>
    public int Clear(Func<string, bool> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_gate)
        {
            return _queued.RemoveAll(f => path(f.Path));
        }
    }

    /// <summary>
    /// From now on, each write (POST, PUT, PATCH, DELETE) fails with <paramref name="probability"/>, drawn from a
    /// generator seeded with <paramref name="seed"/>: 429 with <c>Retry-After: 1</c>, 500 (half of those after the
    /// work was done, so the client cannot tell), or, where the real server can answer it (updates, patches,
    /// bindings), 409. A probability of 0 turns it off.
    /// </summary>
    public void InjectRandomWriteFaults(int seed, double probability)
    {
        lock (_gate)
        {
            _chaos = probability > 0 ? new Random(seed) : null;
            _chaosProbability = probability;
        }
    }

    /// <summary>Makes lists (not watches) of the collection at <paramref name="path"/> answer <paramref name="status"/>; null heals it.</summary>
    public void FailLists(string path, int? status)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (status is { } code)
        {
            _listFailures[path] = code;
        }
        else
        {
            _listFailures.TryRemove(path, out _);
        }
    }

    /// <summary>Refuses every eviction of the pod with 429, as a disruption budget that allows none does; <paramref name="blocked"/> false lifts it.</summary>
    public void BlockEviction(string podNamespace, string podName, bool blocked = true)
    {
        var key = ObjectStore.KeyOf(podNamespace, podName);
        if (blocked)
        {
            _blockedEvictions[key] = true;
        }
        else
        {
            _blockedEvictions.TryRemove(key, out _);
        }
    }

    internal bool EvictionBlocked(string? podNamespace, string podName) => _blockedEvictions.ContainsKey(ObjectStore.KeyOf(podNamespace, podName));

    internal int? ListFailure(string path) => _listFailures.TryGetValue(path, out var code) ? code : null;

    /// <summary>The fault this request takes, if any: an injected one for its method and path first, else a random one.</summary>
    internal ApiFault? Take(string method, string path)
    {
        lock (_gate)
        {
            var index = _queued.FindIndex(f => f.Method == method && f.Path == path);
            if (index >= 0)
            {
                var fault = _queued[index];
                _queued.RemoveAt(index);
                return fault;
            }

            if (method is not ("POST" or "PUT" or "PATCH" or "DELETE") || _chaos is null || _chaos.NextDouble() >= _chaosProbability)
            {
                return null;
            }

            // A create can only conflict because the object exists; that is no fault to inject.
            var conflictPossible = method is "PUT" or "PATCH" || path.EndsWith("/binding", StringComparison.Ordinal);
            _chaosInjected++;
            return _chaos.Next(conflictPossible ? 4 : 3) switch
            {
                0 => new ApiFault(method, path, 429, 1, FaultMode.Reject),
                1 => new ApiFault(method, path, 500, null, FaultMode.Reject),
                2 => new ApiFault(method, path, 500, null, FaultMode.AfterApplying),
                _ => new ApiFault(method, path, 409, null, FaultMode.Reject),
            };
        }
    }
}
