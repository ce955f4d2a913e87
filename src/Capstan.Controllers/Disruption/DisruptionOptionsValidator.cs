using Microsoft.Extensions.Options;

namespace Capstan.Controllers.Disruption;

/// <summary>Checks <see cref="DisruptionOptions"/> at start, naming the key to fix.</summary>
public sealed class DisruptionOptionsValidator : IValidateOptions<DisruptionOptions>
{
    public ValidateOptionsResult Validate(string? name, DisruptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = DisruptionOptions.SectionName;
        var failures = new List<string>();
        if (options.MaxConcurrent is < 1 or > 1000)
        {
            failures.Add($"{Section}:MaxConcurrent must be between 1 and 1000 (got {options.MaxConcurrent})");
        }

        if (options.MaxConsolidationBatch is < 1 or > 100)
        {
            failures.Add($"{Section}:MaxConsolidationBatch must be between 1 and 100 (got {options.MaxConsolidationBatch})");
        }

        if (options.ConsolidationValidationDelay < TimeSpan.Zero)
        {
            failures.Add($"{Section}:ConsolidationValidationDelay must not be negative (got {options.ConsolidationValidationDelay})");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:PollInterval must be a positive duration such as 00:00:10 (got {options.PollInterval})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
