using System.Diagnostics;
using System.Reflection;

namespace Capstan.Host.Tests;

/// <summary>The built <c>capstan</c> executable run as a process, as a user runs it: what it prints and its exit code.</summary>
public sealed class ProcessTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Serve_InvalidConfiguration_PrintsTheKeysToFixAndNoStackTrace()
    {
        var (exit, output) = await RunAsync("serve", "--listen", "https://127.0.0.1:0", "--no-cluster", "--cloud-provider", "none");

        Assert.Equal(2, exit);
        Assert.Equal("capstan serve: Capstan:Tls:CertFile and Capstan:Tls:KeyFile are not set (--cert FILE --key FILE)", output.Trim());
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsCapstanAndTheInformationalVersion()
    {
        var expected = typeof(CapstanCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var (exit, output) = await RunAsync("--version");
        var (again, command) = await RunAsync("version");

        Assert.Equal(0, exit);
        Assert.Equal(0, again);
        Assert.Equal($"capstan {expected}", output.Trim());
        Assert.Equal(output, command);
        Assert.Matches(@"^capstan \d+\.\d+\.\d+", output);
    }

    [Fact]
    public async Task Sandbox_Sigterm_StopsAndRemovesItsCertificateFolder()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "capstan.dll"), "sandbox", "--no-scenario", "--listen", "https://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string? folder = null;
        string? caFile = null;
        Uri? address = null;
        string? kubeconfig = null;
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(s_timeout) is { } line)
        {
            var listening = System.Text.RegularExpressions.Regex.Match(line, @"listening on (https://\S+) \(CA certificate: ([^)]+)\)");
            if (listening.Success)
            {
                address = new Uri(listening.Groups[1].Value);
                caFile = listening.Groups[2].Value;
                folder = Path.GetDirectoryName(caFile);
            }

            if (line.StartsWith("capstan sandbox: export KUBECONFIG=", StringComparison.Ordinal))
            {
                kubeconfig = line["capstan sandbox: export KUBECONFIG=".Length..];
            }

            if (line.StartsWith("capstan sandbox: serving", StringComparison.Ordinal))
            {
                break;
            }
        }

        // The rest (the log lines) is read on, so the process never blocks on a full pipe.
        var rest = process.StandardOutput.ReadToEndAsync();

        // The world serves: Capstan's listener with the printed CA, the API endpoint with the printed kubeconfig.
        Assert.NotNull(address);
        Assert.NotNull(kubeconfig);
        Assert.Equal(folder, Path.GetDirectoryName(kubeconfig));
        using (var client = Client(address, caFile!))
        {
            Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));
        }

        var (nodesExit, nodesOut, nodesErr) = await Capstan.Testing.Kubectl.RunAsync(kubeconfig, "get nodes", timeout: s_timeout);
        Assert.Equal(0, nodesExit);
        Assert.Contains("No resources found", nodesOut + nodesErr, StringComparison.Ordinal);

        Assert.NotNull(folder);
        Assert.True(Directory.Exists(folder));
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(s_timeout);
        }

        await process.WaitForExitAsync().WaitAsync(s_timeout);
        await rest.WaitAsync(s_timeout);
        Assert.Equal(0, process.ExitCode);
        Assert.False(Directory.Exists(folder), $"{folder} is still there; stderr: {await stderr}");
    }

    [Fact]
    public async Task MakePlan_RelativePaths_PrintsOnlyThePlanOnStdout()
    {
        // The repository is the directory above artifacts/ (the test runs from artifacts/bin/Capstan.Host.Tests/<config>).
        var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repo = config.Parent!.Parent!.Parent!.Parent!.FullName;
        Assert.True(File.Exists(Path.Combine(repo, "Makefile")), repo);
        var start = new ProcessStartInfo("make") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The executable this test run built stands in for the published one make would make (NOBUILD=1 skips that).
        foreach (var arg in new[] { "plan", "NOBUILD=1", $"CAPSTAN_BIN={Path.Combine(AppContext.BaseDirectory, "capstan")}",
            "ARGS=--format json --scale inflate=3 src/Capstan.Host/Examples/provisioner-on-demand-apps.yaml src/Capstan.Host/Examples/inflate.yaml" })
        {
            start.ArgumentList.Add(arg);
        }

        // As a user's shell runs it: not nested in the make that runs the tests (a nested make prints
        // "Entering directory" on stdout).
        foreach (var inherited in new[] { "MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES" })
        {
            start.Environment.Remove(inherited);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(s_timeout);

        Assert.True(process.ExitCode == 0, await stderr);
        using var plan = System.Text.Json.JsonDocument.Parse(await stdout);
        Assert.Equal(3, plan.RootElement.GetProperty("nodeClaims").EnumerateArray().Sum(c => c.GetProperty("pods").GetArrayLength()));
        Assert.Contains("Found 3 provisionable pod(s)", await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AValueOfTheWrongKind_IsNamedWithItsKey_AndGoDurationsAreDurations()
    {
        var certs = Directory.CreateTempSubdirectory("capstan-durations-");
        try
        {
            using (var set = Capstan.Tls.CertificateSet.Create(TimeProvider.System.GetUtcNow(), TimeSpan.FromDays(1)))
            {
                set.WritePem(certs.FullName);
            }

            string[] args = ["serve", "--listen", "https://127.0.0.1:0", "--no-cluster", "--cloud-provider", "none",
                "--cert", Path.Combine(certs.FullName, Capstan.Tls.CertificateSet.ServerCertificateFile),
                "--key", Path.Combine(certs.FullName, Capstan.Tls.CertificateSet.ServerKeyFile)];
            var (exit, output) = await RunAsync(new Dictionary<string, string> { ["Capstan__Tls__ReloadInterval"] = "banana" }, args);

            Assert.Equal(2, exit);
            Assert.Equal("capstan serve: Capstan:Tls:ReloadInterval: \"banana\" is not a duration such as 00:10:00 or 10m", output.Trim());

            // "10s" is read as ten seconds: the only complaint left is the other, deliberately wrong, setting.
            var (goExit, go) = await RunAsync(new Dictionary<string, string>
            {
                ["Capstan__Tls__ReloadInterval"] = "10s",
                ["Capstan__Server__MaxRequestBodyBytes"] = "1",
            }, args);
            Assert.Equal(2, goExit);
            Assert.EndsWith("capstan serve: Capstan:Server:MaxRequestBodyBytes must be at least 65536 (got 1)", go.Trim(), StringComparison.Ordinal);
            Assert.DoesNotContain("ReloadInterval", go, StringComparison.Ordinal);
        }
        finally
        {
            certs.Delete(recursive: true);
        }
    }

    private static HttpClient Client(Uri address, string caFile)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
        {
            TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
            RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caFile));
        return new HttpClient(handler) { BaseAddress = address, Timeout = s_timeout };
    }

    private static Task<(int Exit, string Output)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    private static async Task<(int Exit, string Output)> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "capstan.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(s_timeout);
        return (process.ExitCode, await stdout + await stderr);
    }
}
