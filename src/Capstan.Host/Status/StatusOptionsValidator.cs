using Microsoft.Extensions.Options;

namespace Capstan.Host.Status;

/// <summary>Checks the status page's sample interval and history sizes, naming the key to fix.</summary>
public sealed class StatusOptionsValidator : IValidateOptions<StatusOptions>
{
    public ValidateOptionsResult Validate(string? name, StatusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SampleInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{StatusOptions.SectionName}:SampleInterval must be at least one second (got {options.SampleInterval})");
        }

        if (options.TimelinePoints is < 2 or > 100_000)
        {
            failures.Add($"{StatusOptions.SectionName}:TimelinePoints must be between 2 and 100000 (got {options.TimelinePoints})");
        }

        if (options.Decisions is < 1 or > 100_000)
        {
            failures.Add($"{StatusOptions.SectionName}:Decisions must be between 1 and 100000 (got {options.Decisions})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
