using Microsoft.Extensions.Options;

namespace Capstan.Controllers.Disruption;

/// <summary>Checks <see cref="GarbageCollectionOptions"/> at start, naming the key to fix.</summary>
public sealed class GarbageCollectionOptionsValidator : IValidateOptions<GarbageCollectionOptions>
{
    /// <summary>Shortest period accepted: every pass lists the cluster's instances, which spends the cloud's API rate.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(10);

    public ValidateOptionsResult Validate(string? name, GarbageCollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Interval < MinInterval
            ? ValidateOptionsResult.Fail(
                $"{GarbageCollectionOptions.SectionName}:Interval must be a duration of at least {MinInterval} such as 00:02:00 (got {options.Interval})")
            : ValidateOptionsResult.Success;
    }
}
