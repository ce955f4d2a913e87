using Microsoft.Extensions.Options;

namespace Capstan.Host.Commands;

/// <summary>Runs a built host until shutdown; a configuration or bind error is printed and ends the process with 1.</summary>
internal static class HostRunner
{
    public static async Task<int> RunAsync(WebApplication app, string command, TextWriter stderr)
    {
        try
        {
            await using (app)
            {
                await app.RunAsync();
            }

            return 0;
        }
        catch (OptionsValidationException e)
        {
            await stderr.WriteLineAsync($"capstan {command}: invalid configuration:");
            foreach (var failure in e.Failures)
            {
                await stderr.WriteLineAsync($"  {failure}");
            }

            return 1;
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"capstan {command}: cannot listen: {e.Message}");
            return 1;
        }
    }
}
