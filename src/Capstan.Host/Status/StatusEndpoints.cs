using System.Security.Cryptography;
using System.Text;
using Capstan.Core.Ports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capstan.Host.Status;

/// <summary>
/// <c>GET /</c> (the status page: one HTML document with its CSS and script inline, no other asset) and
/// <c>GET /api/status</c> (its JSON). The page's Content-Security-Policy allows exactly its own inline style and script
/// (by hash) and requests to this host, so nothing external can load. Without a cluster adapter there is nothing to
/// show: <c>/</c> says so and <c>/api/status</c> is not mapped.
/// </summary>
public static class StatusEndpoints
{
    private static readonly Lazy<StatusPage> s_page = new(StatusPage.Load);

    public static void MapStatus(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<IClusterState>() is null)
        {
            app.MapGet("/", (HttpContext context) => Html(context, StatusPage.NoCluster, StatusPage.NoClusterPolicy));
            return;
        }

        app.MapGet("/", (HttpContext context) => Html(context, s_page.Value.Html, s_page.Value.Policy));
        app.MapGet("/api/status", (HttpContext context, StatusSnapshotBuilder builder) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Json(builder.Build(), StatusJsonContext.Default.StatusSnapshot);
        });
    }

    private static ContentHttpResult Html(HttpContext context, string html, string policy)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = policy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Text(html, "text/html; charset=utf-8");
    }

    /// <summary>The page (an embedded resource) and a policy naming the hashes of its one style and one script.</summary>
    private sealed record StatusPage(string Html, string Policy)
    {
        public const string NoCluster =
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Capstan</title></head><body>" +
            "<h1>Capstan</h1><p>No cluster is wired to this process (it serves the admission webhook only), so there is no status to show.</p>" +
            "</body></html>";

        public const string NoClusterPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

        public static StatusPage Load()
        {
            using var stream = typeof(StatusEndpoints).Assembly.GetManifestResourceStream("Capstan.Host.Status.status.html")
                ?? throw new InvalidOperationException("the status page resource is missing from the build");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var html = reader.ReadToEnd();
            var policy = "default-src 'none'; "
                + $"style-src '{Hash(Between(html, "<style>", "</style>"))}'; "
                + $"script-src '{Hash(Between(html, "<script>", "</script>"))}'; "
                + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            return new StatusPage(html, policy);
        }

        private static string Between(string html, string open, string close)
        {
            var start = html.IndexOf(open, StringComparison.Ordinal);
            var end = start < 0 ? -1 : html.IndexOf(close, start, StringComparison.Ordinal);
            if (start < 0 || end < 0 || html.IndexOf(open, end, StringComparison.Ordinal) >= 0)
            {
                throw new InvalidOperationException($"the status page must have exactly one {open} element");
            }

            return html[(start + open.Length)..end];
        }

        private static string Hash(string content) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
    }
}
