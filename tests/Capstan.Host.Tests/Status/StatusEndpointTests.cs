using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capstan.Host.Tests.Status;

/// <summary><c>GET /api/status</c> and <c>GET /</c> over HTTPS on the composed host.</summary>
public sealed partial class StatusEndpointTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StatusApi_InTheSandbox_ReportsNodesPodsPendingDecisionsAndTimeline()
    {
        await using var host = await StatusHost.StartAsync("--Capstan:Server:Mode=sandbox");
        StatusHost.Fill(host.Cluster);
        var logger = host.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Capstan.Controllers.Provisioning.ProvisioningController");
#pragma warning disable CA1848 // a plain line stands in for a controller's decision
        logger.LogInformation("Created node node-launching with 0 pods");
#pragma warning restore CA1848
        using var client = host.Certificates.CreateClient(host.Address);

        JsonElement status = default;
        for (var deadline = TimeProvider.System.GetUtcNow() + s_timeout; status.ValueKind == JsonValueKind.Undefined || status.GetProperty("timeline").GetArrayLength() == 0;)
        {
            // The sampler takes its first point as the host starts, on its own thread: wait for it.
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "no timeline point");
            using var response = await client.GetAsync("/api/status").WaitAsync(s_timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        Assert.True(status.GetProperty("synced").GetBoolean());
        Assert.Equal(0.1376, status.GetProperty("pricePerHour").GetDouble(), 9);
        Assert.True(status.TryGetProperty("generatedAt", out _));
        var nodes = status.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("name").GetString()!);
        Assert.Equal(["node-launching", "node-ready"], nodes.Keys.Order(StringComparer.Ordinal));
        var ready = nodes["node-ready"];
        Assert.Equal("ready", ready.GetProperty("state").GetString());
        Assert.Equal("m5.large", ready.GetProperty("instanceType").GetString());
        Assert.Equal("us-west-2a", ready.GetProperty("zone").GetString());
        Assert.Equal("on-demand", ready.GetProperty("capacityType").GetString());
        Assert.Equal(0.096, ready.GetProperty("pricePerHour").GetDouble(), 9);
        Assert.InRange(ready.GetProperty("ageSeconds").GetInt64(), 720, 720 + 60);
        Assert.Equal(0.75, ready.GetProperty("cpu").GetProperty("requested").GetDouble(), 9);
        Assert.Equal(1.93, ready.GetProperty("cpu").GetProperty("allocatable").GetDouble(), 9);
        Assert.Equal(1280.0 * 1024 * 1024, ready.GetProperty("memory").GetProperty("requested").GetDouble());
        Assert.Equal(["default/<b>web-1</b>", "default/web-0"], ready.GetProperty("pods").EnumerateArray().Select(p => p.GetString()));
        var launching = nodes["node-launching"];
        Assert.Equal("in flight", launching.GetProperty("state").GetString());
        Assert.Equal("spot", launching.GetProperty("capacityType").GetString());
        Assert.Equal(0, launching.GetProperty("pods").GetArrayLength());
        var pending = Assert.Single(status.GetProperty("pending").EnumerateArray());
        Assert.Equal(("batch", "waiting-0", "the scheduler found no node for it; Capstan has not planned one yet"),
            (pending.GetProperty("namespace").GetString(), pending.GetProperty("name").GetString(), pending.GetProperty("reason").GetString()));
        var decisions = status.GetProperty("decisions").EnumerateArray().ToList();
        Assert.Contains(decisions, d => d.GetProperty("message").GetString() == "Created node node-launching with 0 pods"
            && d.GetProperty("level").GetString() == "information" && d.TryGetProperty("time", out _));
        var point = status.GetProperty("timeline")[0];
        Assert.True(point.TryGetProperty("time", out _) && point.TryGetProperty("nodes", out _) && point.TryGetProperty("pricePerHour", out _));
    }

    [Fact]
    public async Task StatusPage_IsOneDocument_WithNoExternalAsset_AndAPolicyThatAllowsOnlyItsOwnStyleAndScript()
    {
        await using var host = await StatusHost.StartAsync("--Capstan:Server:Mode=sandbox");
        using var client = host.Certificates.CreateClient(host.Address);

        using var response = await client.GetAsync("/").WaitAsync(s_timeout);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/api/status", html, StringComparison.Ordinal);
        // Nothing is fetched from elsewhere: no src attribute, and the one href is the empty inline icon.
        Assert.DoesNotMatch(SourceAttribute(), html);
        Assert.Equal(["data:,"], HrefAttribute().Matches(html).Select(m => m.Groups[1].Value));
        Assert.DoesNotContain("innerHTML", html, StringComparison.Ordinal);
        var policy = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'none';", policy, StringComparison.Ordinal);
        Assert.Contains($"script-src '{Hash(Between(html, "<script>", "</script>"))}'", policy, StringComparison.Ordinal);
        Assert.Contains($"style-src '{Hash(Between(html, "<style>", "</style>"))}'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusPage_WithoutACluster_SaysSo_AndServesNoStatusJson()
    {
        await using var host = await StatusHost.StartAsync();
        using var client = host.Certificates.CreateClient(host.Address);

        var page = await client.GetStringAsync("/").WaitAsync(s_timeout);
        using var api = await client.GetAsync("/api/status").WaitAsync(s_timeout);

        Assert.Contains("No cluster is wired to this process", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));
        Assert.Equal("ready", await client.GetStringAsync("/readyz").WaitAsync(s_timeout));
    }

    [Fact]
    public async Task StatusOptions_BadSampleInterval_StopsTheHostNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => StatusHost.StartAsync("--Capstan:Server:Mode=sandbox", "--Capstan:Status:SampleInterval=00:00:00"));

        Assert.Contains("Capstan:Status:SampleInterval must be at least one second", error.Message, StringComparison.Ordinal);
    }

    private static string Between(string html, string open, string close)
    {
        var start = html.IndexOf(open, StringComparison.Ordinal) + open.Length;
        return html[start..html.IndexOf(close, start, StringComparison.Ordinal)];
    }

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex("""\ssrc\s*=""", RegexOptions.IgnoreCase)]
    private static partial Regex SourceAttribute();

    [GeneratedRegex(@"href\s*=\s*""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex HrefAttribute();
}
