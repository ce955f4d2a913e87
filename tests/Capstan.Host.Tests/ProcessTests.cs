using System.Diagnostics;

namespace Capstan.Host.Tests;

/// <summary>The built <c>capstan</c> executable run as a process, as a user runs it: what it prints and its exit code.</summary>
public sealed class ProcessTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Serve_InvalidConfiguration_PrintsTheKeysToFixAndNoStackTrace()
    {
        var (exit, output) = await RunAsync("serve", "--listen", "https://127.0.0.1:0", "--no-cluster", "--cloud-provider", "none");

        Assert.Equal(1, exit);
        Assert.Contains("capstan serve: invalid configuration:", output, StringComparison.Ordinal);
        Assert.Contains("Capstan:Tls:CertFile and Capstan:Tls:KeyFile are required", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "capstan.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(s_timeout);
        return (process.ExitCode, await stdout + await stderr);
    }
}
