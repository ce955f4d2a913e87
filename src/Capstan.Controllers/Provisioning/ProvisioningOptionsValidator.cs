using Microsoft.Extensions.Options;

namespace Capstan.Controllers.Provisioning;

/// <summary>Checks <see cref="ProvisioningOptions"/> at start, naming the key to fix.</summary>
public sealed class ProvisioningOptionsValidator : IValidateOptions<ProvisioningOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvisioningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = ProvisioningOptions.SectionName;
        var failures = new List<string>();
        Positive(failures, $"{Section}:BatchIdleDuration", options.BatchIdleDuration);
        Positive(failures, $"{Section}:BatchMaxDuration", options.BatchMaxDuration);
        Positive(failures, $"{Section}:RegistrationTtl", options.RegistrationTtl);
        Positive(failures, $"{Section}:LaunchRetryDelay", options.LaunchRetryDelay);
        Positive(failures, $"{Section}:ResyncInterval", options.ResyncInterval);
        if (options.BatchMaxDuration < options.BatchIdleDuration)
        {
            failures.Add($"{Section}:BatchMaxDuration ({options.BatchMaxDuration}) must not be shorter than BatchIdleDuration ({options.BatchIdleDuration})");
        }

        if (options.LaunchConcurrency is < 1 or > 100)
        {
            failures.Add($"{Section}:LaunchConcurrency must be between 1 and 100 (got {options.LaunchConcurrency})");
        }

        if (options.BindConcurrency is < 1 or > 100)
        {
            failures.Add($"{Section}:BindConcurrency must be between 1 and 100 (got {options.BindConcurrency})");
        }

        if (options.LaunchAttempts is < 1 or > 10)
        {
            failures.Add($"{Section}:LaunchAttempts must be between 1 and 10 (got {options.LaunchAttempts})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be a positive duration such as 00:00:01 (got {value})");
        }
    }
}
