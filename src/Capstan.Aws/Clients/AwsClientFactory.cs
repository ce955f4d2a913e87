using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;

namespace Capstan.Aws.Clients;

/// <summary>
/// Makes the SDK clients the way every Capstan component needs them: the region from the options or the SDK's
/// own chain, the default credential chain, the endpoint overrides, the SDK's own retries off (the Polly pipelines
/// of <see cref="AwsPipelines"/> retry, on the injected clock) and the per-call timeout.
/// </summary>
public sealed class AwsClientFactory(AwsOptions options, AwsEndpoints endpoints, AWSCredentials? credentials = null)
{
    private readonly (string Region, string? Source) _region = ResolveRegion(options);

    /// <summary>The region every client uses: the option, else what the SDK resolves (<c>AWS_REGION</c>, profile), else us-east-1.</summary>
    public string Region => _region.Region;

    /// <summary>Where <see cref="Region"/> came from, in words; null when nothing named one and us-east-1 was assumed.</summary>
    public string? RegionSource => _region.Source;

    public AmazonEC2Client CreateEc2() => Create(new AmazonEC2Config(), "EC2", (c, cfg) => c is null ? new AmazonEC2Client(cfg) : new AmazonEC2Client(c, cfg));

    public AmazonSimpleSystemsManagementClient CreateSsm() =>
        Create(new AmazonSimpleSystemsManagementConfig(), "SSM", (c, cfg) => c is null ? new AmazonSimpleSystemsManagementClient(cfg) : new AmazonSimpleSystemsManagementClient(c, cfg));

    /// <param name="timeout">the HTTP timeout when it must exceed the call timeout (a long poll's wait on top of it)</param>
    public AmazonSQSClient CreateSqs(TimeSpan? timeout = null)
    {
        var config = Configure(new AmazonSQSConfig(), "SQS");
        if (timeout is { } longer)
        {
            config.Timeout = longer;
        }

        return credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
    }

    public AmazonSecurityTokenServiceClient CreateSts() =>
        Create(new AmazonSecurityTokenServiceConfig(), "STS", (c, cfg) => c is null ? new AmazonSecurityTokenServiceClient(cfg) : new AmazonSecurityTokenServiceClient(c, cfg));

    /// <summary>The endpoint override for a service key (<c>PRICING</c>, <c>AUTO_SCALING</c>), for the clients Capstan signs itself.</summary>
    public string? EndpointFor(string serviceKey) => endpoints.For(serviceKey);

    /// <summary>The credentials given to the factory, else the SDK's default chain (resolved for the given client config).</summary>
    public Task<AWSCredentials> CredentialsAsync(IClientConfig config) =>
        credentials is not null ? Task.FromResult(credentials) : DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(config);

    /// <summary>Applies region, endpoint, retries and timeout to an SDK config.</summary>
    public TConfig Configure<TConfig>(TConfig config, string serviceKey)
        where TConfig : ClientConfig
    {
        ArgumentNullException.ThrowIfNull(config);
        var endpoint = endpoints.For(serviceKey);
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }

        config.MaxErrorRetry = 0;
        config.Timeout = options.CallTimeout;
        return config;
    }

    private TClient Create<TConfig, TClient>(TConfig config, string serviceKey, Func<AWSCredentials?, TConfig, TClient> make)
        where TConfig : ClientConfig =>
        make(credentials, Configure(config, serviceKey));

    private static (string Region, string? Source) ResolveRegion(AwsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Region))
        {
            return (options.Region.Trim(), "Capstan:Aws:Region (--region)");
        }

        foreach (var name in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            var value = Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), name);
            }
        }

        var sdk = FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
        return sdk is null ? ("us-east-1", null) : (sdk, "the AWS profile or instance metadata");
    }
}
