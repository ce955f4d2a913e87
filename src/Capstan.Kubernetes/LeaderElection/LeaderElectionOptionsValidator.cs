using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Capstan.Kubernetes.LeaderElection;

/// <summary>Checks the leader election options at start, naming the key to fix; nothing is checked while election is disabled.</summary>
public sealed partial class LeaderElectionOptionsValidator : IValidateOptions<LeaderElectionOptions>
{
    private const string Section = LeaderElectionOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, LeaderElectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.Namespace) || options.Namespace.Length > 63 || !Label().IsMatch(options.Namespace))
        {
            failures.Add($"{Section}:Namespace \"{options.Namespace}\" is not a namespace name (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)");
        }

        if (string.IsNullOrEmpty(options.LeaseName) || options.LeaseName.Length > 253 || !Subdomain().IsMatch(options.LeaseName))
        {
            failures.Add($"{Section}:LeaseName \"{options.LeaseName}\" is not a lease name (at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)");
        }

        if (string.IsNullOrWhiteSpace(options.Identity))
        {
            failures.Add($"{Section}:Identity must not be empty (it names this replica in the lease)");
        }

        var positive = true;
        foreach (var (key, value) in new[] { ("LeaseDuration", options.LeaseDuration), ("RenewDeadline", options.RenewDeadline), ("RetryPeriod", options.RetryPeriod) })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{Section}:{key} must be positive (got {value})");
                positive = false;
            }
        }

        if (positive)
        {
            if (options.LeaseDuration < TimeSpan.FromSeconds(1))
            {
                failures.Add($"{Section}:LeaseDuration must be at least 1 second: the lease records it in whole seconds (got {options.LeaseDuration})");
            }

            if (options.RenewDeadline >= options.LeaseDuration)
            {
                failures.Add($"{Section}:RenewDeadline must be shorter than LeaseDuration (got {options.RenewDeadline} and {options.LeaseDuration}): a leader must stop leading before the others may take over");
            }

            if (options.RetryPeriod >= options.RenewDeadline)
            {
                failures.Add($"{Section}:RetryPeriod must be shorter than RenewDeadline (got {options.RetryPeriod} and {options.RenewDeadline}): the leader must get to renew before its deadline");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>An RFC 1123 label (the length is checked apart).</summary>
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>An RFC 1123 subdomain: labels joined by dots (the length is checked apart).</summary>
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
