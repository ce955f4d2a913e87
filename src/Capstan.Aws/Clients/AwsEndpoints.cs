namespace Capstan.Aws.Clients;

/// <summary>
/// Endpoint overrides as the AWS SDKs and CLI read them: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c> first, then
/// <c>AWS_ENDPOINT_URL</c>; with none set, each client talks to AWS's own endpoint for its region.
/// </summary>
public sealed class AwsEndpoints(Func<string, string?> environment)
{
    /// <summary>Reads the process environment.</summary>
    public static AwsEndpoints FromEnvironment() => new(Environment.GetEnvironmentVariable);

    /// <summary>
    /// The override for a service, keyed by its environment suffix (<c>EC2</c>, <c>SSM</c>, <c>SQS</c>, <c>STS</c>,
    /// <c>PRICING</c>, <c>AUTO_SCALING</c>), or null.
    /// </summary>
    public string? For(string serviceKey)
    {
        var specific = environment("AWS_ENDPOINT_URL_" + serviceKey);
        if (!string.IsNullOrWhiteSpace(specific))
        {
            return specific.Trim();
        }

        var global = environment("AWS_ENDPOINT_URL");
        return string.IsNullOrWhiteSpace(global) ? null : global.Trim();
    }
}
