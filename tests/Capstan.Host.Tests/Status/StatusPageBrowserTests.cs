using Capstan.Core.Resources;
using Capstan.Testing;
using Microsoft.Playwright;

namespace Capstan.Host.Tests.Status;

/// <summary>
/// The status page in a real browser: Debian's chromium, driven by Playwright (its bundled node runs the driver, no
/// browser download), loading the page of the host over an in-memory cluster the test fills. Leaves a screenshot at
/// <c>artifacts/TestResults/screenshots/status.png</c>.
/// </summary>
public sealed class StatusPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StatusPage_InChromium_ShowsNodeCardsPodsAndPending_AndAddsANodeLaunchedAfterItLoaded()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: the status page's browser test needs Debian's chromium (apt-get install -y chromium; make test installs it when run as root)");
        // The host over the in-memory cluster (Capstan:Server:Mode=sandbox), filled by the test.
        await using var host = await StatusHost.StartAsync("--Capstan:Server:Mode=sandbox");
        var cluster = host.Cluster;
        StatusHost.Fill(cluster);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
            Timeout = (float)s_timeout.TotalMilliseconds,
        });
        // The host's certificate comes from a throwaway CA, not the browser's to trust.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)s_timeout.TotalMilliseconds);
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);

        var response = await page.GotoAsync(host.Address.ToString());
        Assert.NotNull(response);
        Assert.True(response.Ok, $"GET / answered {response.Status}");

        var ready = page.Locator("article.node[data-node='node-ready']");
        await Assertions.Expect(ready).ToBeVisibleAsync();
        await Assertions.Expect(ready.Locator(".state")).ToHaveTextAsync("ready");
        await Assertions.Expect(ready.Locator("li.pod")).ToHaveTextAsync(["default/<b>web-1</b>", "default/web-0"]);
        Assert.Equal(0, await ready.Locator("b").CountAsync()); // the pod's name is text, not markup
        await Assertions.Expect(ready.Locator(".meta")).ToContainTextAsync("m5.large · us-west-2a · on-demand · $0.0960/h");
        await Assertions.Expect(page.Locator("article.node[data-node='node-launching'] .state")).ToHaveTextAsync("in flight");
        await Assertions.Expect(page.Locator("tr.pending[data-pod='batch/waiting-0']")).ToContainTextAsync("the scheduler found no node for it");
        await Assertions.Expect(page.Locator("#price")).ToHaveTextAsync("$0.1376");

        // Launched while the page is open: only the page's polling can bring it in.
        cluster.UpsertNode(StatusWorld.Node("node-late", price: 0.768, instanceType: "m5.4xlarge", createdAt: TimeProvider.System.GetUtcNow()) with
        {
            Allocatable = ResourceList.Of("cpu", "15890m", "memory", "57Gi", "pods", "234"),
        });
        cluster.AddPod(new PodBuilder("waiting-0", "batch").Cpu("8").Build(), "node-late");
        var late = page.Locator("article.node[data-node='node-late']");
        await Assertions.Expect(late).ToBeVisibleAsync();
        await Assertions.Expect(late.Locator("li.pod")).ToHaveTextAsync(["batch/waiting-0"]);
        await Assertions.Expect(page.Locator("tr.pending")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("article.node")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#connection")).ToContainTextAsync("live");
        await Assertions.Expect(page.Locator("#price")).ToHaveTextAsync("$0.9056");
        // The sample taken at start and the cluster as it is now: a nodes line and a price line.
        await Assertions.Expect(page.Locator("#timeline svg polyline")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#decisions tr.decision").First).ToBeVisibleAsync();

        var screenshot = Path.Combine(RepoRoot(), "artifacts", "TestResults", "screenshots", "status.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0, $"{screenshot} is empty");
        Assert.True(problems.Count == 0, "the page reported: " + string.Join("; ", problems));
    }

    internal static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Extender.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Extender.sln not found above " + AppContext.BaseDirectory);
    }
}
