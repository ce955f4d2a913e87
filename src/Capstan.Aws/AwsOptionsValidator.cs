using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Capstan.Aws;

/// <summary>Checks the AWS options at start, naming the key (and flag) to fix.</summary>
public sealed partial class AwsOptionsValidator : IValidateOptions<AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterName))
        {
            failures.Add("Capstan:Cluster:Name (--cluster-name) is required with the aws cloud provider: it names the cluster's instances and their bootstrap (or pass --cloud-provider none)");
        }
        else if (!ClusterName().IsMatch(options.ClusterName))
        {
            failures.Add($"Capstan:Cluster:Name \"{options.ClusterName}\" is not an EKS cluster name (letters, digits, '-' and '_', starting with a letter or digit, at most 100)");
        }

        if (options.ClusterEndpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Capstan:Cluster:Endpoint \"{endpoint}\" must be an https:// URL (the API server nodes join)");
        }

        if (options.Region is { Length: > 0 } region && !Region().IsMatch(region))
        {
            failures.Add($"Capstan:Aws:Region (--region) \"{region}\" is not an AWS region name such as us-east-1");
        }

        if (!KubernetesVersion().IsMatch(options.KubernetesVersion))
        {
            failures.Add($"Capstan:Aws:KubernetesVersion \"{options.KubernetesVersion}\" must be MAJOR.MINOR, e.g. 1.29");
        }

        if (options.CallTimeout <= TimeSpan.Zero || options.CallTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Capstan:Aws:CallTimeout must be between 0 and 5 minutes (got {options.CallTimeout})");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add($"Capstan:Aws:MaxRetries must be between 0 and 20 (got {options.MaxRetries})");
        }

        if (options.VmMemoryOverheadPercent is < 0 or >= 1)
        {
            failures.Add($"Capstan:Aws:VmMemoryOverheadPercent must be at least 0 and below 1 (got {options.VmMemoryOverheadPercent})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")]
    private static partial Regex ClusterName();

    [GeneratedRegex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$")]
    private static partial Regex Region();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+$")]
    private static partial Regex KubernetesVersion();
}
