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
        StoreWatch watch;
        try
        {
            watch = Store.Watch(target.Resource, since, target.Namespace);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            await WriteLineAsync(context, null, new JsonObject { ["type"] = "ERROR", ["object"] = StatusObject(e) }).ConfigureAwait(false);
            return;
        }

        // One writer at a time on the response: the bookmark loop shares it.
        using var gate = new SemaphoreSlim(1, 1);
        using (watch)
        {
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            using var expiry = new CancellationTokenSource(timeout, Store.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, expiry.Token);
            using var ticker = bookmarks ? new PeriodicTimer(BookmarkInterval, Store.Time) : null;
            var bookmark = ticker is null ? null : BookmarksAsync(context, gate, target, ticker, linked.Token);
            try
            {
                await foreach (var change in watch.Events.ReadAllAsync(linked.Token).ConfigureAwait(false))
                {
                    var type = Transition(change, Matches);
                    if (type is null)
                    {
                        continue;
                    }

                    var obj = table ? Tables.Of(target.Resource, [change.Item], Store.Time.GetUtcNow(), include.Length == 0 ? null : include).ToJsonString() : change.ObjectJson;
                    await WriteLineAsync(context, gate, $"{{\"type\":\"{type}\",\"object\":{obj}}}").ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (expiry.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                // timeoutSeconds passed: the stream ends cleanly and the client watches again.
            }
            finally
            {
                if (bookmark is not null)
                {
                    await linked.CancelAsync().ConfigureAwait(false);
                    await bookmark.ConfigureAwait(false);
                }
            }
        }
    }

    private async Task BookmarksAsync(HttpContext context, SemaphoreSlim gate, RequestTarget target, PeriodicTimer ticker, CancellationToken cancellationToken)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await WriteLineAsync(context, gate, new JsonObject
                {
                    ["type"] = "BOOKMARK",
                    ["object"] = new JsonObject
                    {
                        ["apiVersion"] = target.Resource.ApiVersion,
                        ["kind"] = target.Resource.Kind,
                        ["metadata"] = new JsonObject
                        {
                            ["resourceVersion"] = Store.Revision.ToString(CultureInfo.InvariantCulture),
                            ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "false" },
                        },
                    },
                }).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended.
        }
    }

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

    private static Task WriteLineAsync(HttpContext context, SemaphoreSlim? gate, JsonObject line) => WriteLineAsync(context, gate, line.ToJsonString());

    private static async Task WriteLineAsync(HttpContext context, SemaphoreSlim? gate, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        if (gate is not null)
        {
            await gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }

        try
        {
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            gate?.Release();
        }
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
