using Capstan.Host.Tests.Status;
using Capstan.Testing;
using Microsoft.Playwright;

namespace Capstan.Host.Tests.Sandbox;

/// <summary>
/// The status page in Debian's chromium during a real sandbox run: the nodes Capstan launches for the scenario's
/// pods appear as cards with those pods on them. Leaves <c>artifacts/TestResults/screenshots/status-sandbox.png</c>.
/// </summary>
public sealed class SandboxStatusPageTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StatusPage_DuringASandboxRun_ShowsTheLaunchedNodesAndTheirBoundPods()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (make test installs it when run as root)");
        var tutorial = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "scenarios", "tutorial.yaml"));
        var scenario = _dir.Write("page.yaml", tutorial[..tutorial.IndexOf("  - expect:", StringComparison.Ordinal)].Replace("name: tutorial", "name: page", StringComparison.Ordinal)
            + "  - scale: {workload: inflate, replicas: 4}\n  - wait: {allPodsRunning: true, timeout: 15m}\n  - wait: {duration: 10m}\n");
        var stdout = new StringWriter();
        var output = TextWriter.Synchronized(stdout);
        var run = CapstanCli.RunAsync(["sandbox", "--scenario", scenario, "--exit-when-done", "--speed", "30", "--listen", "https://127.0.0.1:0"],
            TextReader.Null, output, TextWriter.Null, TimeProvider.System);
        Uri? address = null;
        var deadline = TimeProvider.System.GetUtcNow() + s_timeout;
        while (address is null)
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline && !run.IsCompleted, $"the sandbox printed no status page address: {stdout}");
            var at = stdout.ToString().IndexOf("status page ", StringComparison.Ordinal);
            if (at >= 0)
            {
                address = new Uri(stdout.ToString()[(at + "status page ".Length)..].Split('\n')[0].Trim());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
            Timeout = (float)s_timeout.TotalMilliseconds,
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)s_timeout.TotalMilliseconds);
        var response = await page.GotoAsync(address.ToString());
        Assert.True(response?.Ok, $"GET / answered {response?.Status}");

        // Loaded before any node existed: the cards and their pods arrive through the page's live updates.
        Assertions.SetDefaultExpectTimeout((float)s_timeout.TotalMilliseconds);
        var node = page.Locator("article.node[data-node$='.ec2.internal']").First;
        await Assertions.Expect(node).ToBeVisibleAsync();
        await Assertions.Expect(node.Locator(".meta")).ToContainTextAsync("c6a.");
        await Assertions.Expect(page.Locator("article.node li.pod").Filter(new LocatorFilterOptions { HasTextString = "default/inflate-" })).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("article.node .state").First).ToHaveTextAsync("ready");

        var screenshot = Path.Combine(StatusPageBrowserTests.RepoRoot(), "artifacts", "TestResults", "screenshots", "status-sandbox.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        var exit = await run.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, stdout.ToString());
    }
}
