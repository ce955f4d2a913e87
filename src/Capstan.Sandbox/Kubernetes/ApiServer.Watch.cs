using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// Watches as the API server streams them: newline-delimited events over a response kept open, replayed from the
/// requested resourceVersion (410 Expired as an ERROR event when the history is gone), filtered by label and field
/// selectors with the server's transitions (an object that starts to match arrives as ADDED, one that stops as
/// DELETED), BOOKMARKs when asked for, Tables when kubectl asks for them, and an end after <c>timeoutSeconds</c>.
/// </summary>
public sealed partial class ApiServer
{
    private readonly List<OpenWatch> _openWatches = [];

    /// <summary>Watches being streamed to clients now.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_openWatches)
            {
                return _openWatches.Count;
            }
        }
    }

    /// <summary>
    /// Ends every open watch: cleanly, after the events already queued (the client watches again from its last
    /// version), or, with <paramref name="abort"/>, by dropping the connection (a stream error), as a restarting
    /// API server or a load balancer does.
    /// </summary>
    public void EndWatches(bool abort = false)
    {
        foreach (var watch in Snapshot())
        {
            watch.End(abort);
        }
    }

    /// <summary>
    /// Compacts the store's history and ends every open watch with an ERROR event carrying a 410 Status, as etcd
    /// compaction does: the clients must list again.
    /// </summary>
    public void ExpireWatches()
    {
        Store.Compact();
        foreach (var watch in Snapshot())
        {
            watch.Expire();
        }
    }

    /// <summary>Sends a BOOKMARK at the current version now to every open watch that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        foreach (var watch in Snapshot())
        {
            watch.Bookmark();
        }
    }

    private List<OpenWatch> Snapshot()
    {
        lock (_openWatches)
        {
            return [.. _openWatches];
        }
    }

    private async Task WatchAsync(HttpContext context, RequestTarget target)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        bool Matches(JsonObject o) => (labels?.Matches(o) ?? true) && (fields?.Matches(o) ?? true);
        var since = long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out var v) ? v : 0;
        var bookmarks = query["allowWatchBookmarks"] == "true";
        var table = Tables.Wanted(context.Request.Headers.Accept);
        var include = query["includeObject"].ToString();
        var timeout = long.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var t) && t > 0 ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var open = new OpenWatch(since, bookmarks);
        lock (_openWatches)
        {
            _openWatches.Add(open);
        }

        try
        {
            StoreWatch watch;
            try
            {
                watch = Store.Watch(target.Resource, since, target.Namespace);
            }
            catch (ApiException e) when (e.Code == 410)
            {
                await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = StatusObject(e) }).ConfigureAwait(false);
                return;
            }

            using (watch)
            {
                open.Attach(watch);
                await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                using var expiry = new CancellationTokenSource(timeout, Store.Time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, expiry.Token);
                using var ticker = bookmarks ? new PeriodicTimer(BookmarkInterval, Store.Time) : null;
                var ticking = ticker is null ? null : BookmarksAsync(watch, ticker, linked.Token);
                try
                {
                    await foreach (var change in watch.Events.ReadAllAsync(linked.Token).ConfigureAwait(false))
                    {
                        if (change.Type == StoreEvent.Bookmark)
                        {
                            await WriteLineAsync(context, BookmarkLine(target, change.Revision)).ConfigureAwait(false);
                            continue;
                        }

                        var type = Transition(change, Matches);
                        if (type is null)
                        {
                            continue;
                        }

                        var obj = table ? Tables.Of(target.Resource, [change.Item], Store.Time.GetUtcNow(), include.Length == 0 ? null : include).ToJsonString() : change.ObjectJson;
                        await WriteLineAsync(context, $"{{\"type\":\"{type}\",\"object\":{obj}}}").ConfigureAwait(false);
                    }

                    if (open.Aborted)
                    {
                        context.Abort();
                    }
                }
                catch (ApiException e) when (e.Code == 410)
                {
                    // The history this watch read from was compacted away while it streamed.
                    await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = StatusObject(e) }).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (expiry.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
                {
                    // timeoutSeconds passed: the stream ends cleanly and the client watches again.
                }
                finally
                {
                    if (ticking is not null)
                    {
                        await linked.CancelAsync().ConfigureAwait(false);
                        await ticking.ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            lock (_openWatches)
            {
                _openWatches.Remove(open);
            }
        }
    }

    /// <summary>Queues a BOOKMARK on the watch every <see cref="BookmarkInterval"/>, in order with its events.</summary>
    private static async Task BookmarksAsync(StoreWatch watch, PeriodicTimer ticker, CancellationToken cancellationToken)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                watch.Bookmark();
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended.
        }
    }

    private static JsonObject BookmarkLine(RequestTarget target, long revision) => new()
    {
        ["type"] = "BOOKMARK",
        ["object"] = new JsonObject
        {
            ["apiVersion"] = target.Resource.ApiVersion,
            ["kind"] = target.Resource.Kind,
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture),
                ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "false" },
            },
        },
    };

    /// <summary>The event type a watch with a selector sees for a change, or null when it sees nothing.</summary>
    private static string? Transition(StoreEvent change, Func<JsonObject, bool> matches)
    {
        if (change.Type == "DELETED")
        {
            return matches(change.Item) ? "DELETED" : null;
        }

        var now = matches(change.Item);
        var before = change.Previous is not null && matches(change.Previous);
        return (before, now) switch
        {
            (true, true) => change.Type,
            (false, true) => "ADDED",
            (true, false) => "DELETED",
            _ => null,
        };
    }

    private static Task WriteLineAsync(HttpContext context, JsonObject line) => WriteLineAsync(context, line.ToJsonString());

    private static async Task WriteLineAsync(HttpContext context, string line)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject StatusObject(ApiException e) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = e.Message,
        ["reason"] = e.Reason,
        ["code"] = e.Code,
    };
}

/// <summary>One watch being streamed: how the server ends it early, expires it or bookmarks it from outside the stream.</summary>
internal sealed class OpenWatch(long since, bool bookmarks)
{
    private readonly Lock _gate = new();
    private StoreWatch? _watch;
    private bool _ended;

    /// <summary>Set when the stream was ended by dropping the connection rather than by ending the response.</summary>
    public bool Aborted { get; private set; }

    /// <summary>The store's watch behind the stream, once it is open; one ended before that is closed at once.</summary>
    public void Attach(StoreWatch watch)
    {
        lock (_gate)
        {
            _watch = watch;
            if (_ended)
            {
                watch.Close();
            }
        }
    }

    public void End(bool abort)
    {
        lock (_gate)
        {
            _ended = true;
            Aborted |= abort;
            _watch?.Close();
        }
    }

    public void Expire()
    {
        StoreWatch? watch;
        lock (_gate)
        {
            _ended = true;
            watch = _watch;
        }

        watch?.Expire(since);
    }

    public void Bookmark()
    {
        StoreWatch? watch;
        lock (_gate)
        {
            watch = bookmarks && !_ended ? _watch : null;
        }

        watch?.Bookmark();
    }
}
