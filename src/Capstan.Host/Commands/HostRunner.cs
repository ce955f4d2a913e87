using Microsoft.Extensions.Options;

namespace Capstan.Host.Commands;

/// <summary>Runs a built host until shutdown; unusable configuration is printed and ends the process with 2, a bind error with 1.</summary>
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
        catch (Exception e) when (ValidationFailures(e) is { Count: > 0 } failures)
        {
            // Unusable configuration: one line per problem, each naming the key (and its flag) to fix.
            foreach (var failure in failures)
            {
                await stderr.WriteLineAsync($"capstan {command}: {failure}");
            }

            return 2;
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"capstan {command}: cannot listen: {e.Message}");
            return 1;
        }
    }

    /// <summary>The problems an options validation found when the host started (none for any other exception).</summary>
    internal static List<string> ValidationFailures(Exception e) => e switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate when aggregate.InnerExceptions.All(i => i is OptionsValidationException) =>
            [.. aggregate.InnerExceptions.SelectMany(i => ((OptionsValidationException)i).Failures)],
        _ => [],
    };
}
