using System.Diagnostics;
using System.Text;

namespace Capstan.Testing;

/// <summary>Runs the real kubectl (Debian's package, on PATH) against a kubeconfig and returns what it printed.</summary>
public static class Kubectl
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string kubeconfig, string arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("kubectl", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = Path.GetDirectoryName(kubeconfig)!;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl could not be started; is Debian's kubectl package installed?");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {arguments} did not finish: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (a watch) whose output is collected as it comes; dispose to stop it.</summary>
    public static Running Start(string kubeconfig, string arguments)
    {
        var start = new ProcessStartInfo("kubectl", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = Path.GetDirectoryName(kubeconfig)!;
        var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl could not be started");
        return new Running(process);
    }

    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public Running(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) =>
            {
                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
