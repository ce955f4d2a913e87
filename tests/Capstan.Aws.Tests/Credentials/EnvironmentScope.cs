using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Credentials.Internal;

namespace Capstan.Aws.Tests.Credentials;

/// <summary>
/// Sets process environment variables for one test and restores them afterwards. Every variable the SDK's credential
/// chain, region and endpoint lookups read is cleared first, so the machine's own settings cannot leak in.
/// <para>
/// The SDK caches the default chain's answer process-wide (in two resolvers) and re-walks the chain only when <c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c> or <c>AWS_PROFILE</c> changed since (not the IRSA or container
/// variables), so the scope flushes those caches on the way in and out: it resolves once with throw-away keys, which the
/// next resolution sees as a changed environment.
/// </para>
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    private static readonly string[] s_awsVariables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSM",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED",
    ];

    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);

    /// <param name="nowhere">a path that does not exist, for the shared credentials and config files</param>
    public EnvironmentScope(string nowhere)
    {
        foreach (var name in s_awsVariables)
        {
            Set(name, null);
        }

        Set("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(nowhere, "credentials"));
        Set("AWS_CONFIG_FILE", Path.Combine(nowhere, "config"));
        Set("AWS_EC2_METADATA_DISABLED", "true");
        FlushCredentialCache();
    }

    public void Set(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    private void FlushCredentialCache()
    {
        var profile = Environment.GetEnvironmentVariable("AWS_PROFILE");
        Set("AWS_PROFILE", null);
        Set("AWS_ACCESS_KEY_ID", "AKIDFLUSH" + Guid.NewGuid().ToString("N")[..11].ToUpperInvariant());
        Set("AWS_SECRET_ACCESS_KEY", "flush");
        // Both resolvers that cache: the one clients built without credentials use, and the static helper's.
        _ = DefaultIdentityResolverConfiguration.ResolveDefaultIdentity<AWSCredentials>();
        _ = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        Set("AWS_ACCESS_KEY_ID", null);
        Set("AWS_SECRET_ACCESS_KEY", null);
        Set("AWS_PROFILE", profile);
    }

    public void Dispose()
    {
        FlushCredentialCache();
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
