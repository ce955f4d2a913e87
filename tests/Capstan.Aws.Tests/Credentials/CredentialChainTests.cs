using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Capstan.Aws.Clients;
using Capstan.Sandbox.Aws;
using Capstan.Testing;

namespace Capstan.Aws.Tests.Credentials;

/// <summary>
/// The SDK's default credential chain as it works on EKS, with the real SDK: IRSA (web identity through STS) and EKS
/// Pod Identity (the container credentials endpoint); and the endpoint and region overrides of the environment.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public sealed class CredentialChainTests
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/capstan-controller";

    // A JWT's shape (header.payload.signature), as the projected service account token has.
    private const string ServiceAccountToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2Fwc3RhbjpjYXBzdGFuIn0.c2lnbmF0dXJl";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DefaultChain_Irsa_AssumesTheRoleAndSignsWithTheIssuedKey()
    {
        using var directory = new TempDirectory();
        using var environment = new EnvironmentScope(Path.Combine(directory.Path, "nowhere"));
        var sts = new StsStandIn();
        var sqs = new SqsStandIn();
        sqs.CreateQueue("capstan-interruption");
        await using var standIn = await new AwsStandIn().Add(sts).Add(sqs).StartAsync().WaitAsync(s_timeout);
        environment.Set("AWS_ROLE_ARN", RoleArn);
        environment.Set("AWS_WEB_IDENTITY_TOKEN_FILE", directory.Write("token", ServiceAccountToken));
        environment.Set("AWS_ENDPOINT_URL_STS", standIn.Endpoint.ToString());
        environment.Set("AWS_ENDPOINT_URL_SQS", standIn.Endpoint.ToString());
        environment.Set("AWS_REGION", "us-west-2");
        var factory = new AwsClientFactory(new AwsOptions(), AwsEndpoints.FromEnvironment());

        using var client = factory.CreateSqs();
        await client.GetQueueUrlAsync("capstan-interruption").WaitAsync(s_timeout);

        var grant = Assert.Single(sts.Grants);
        Assert.Equal(RoleArn, grant.RoleArn);
        Assert.Equal(ServiceAccountToken, grant.WebIdentityToken);
        Assert.False(string.IsNullOrEmpty(grant.RoleSessionName));
        var assume = Assert.Single(standIn.CallsOf("sts", "AssumeRoleWithWebIdentity"));
        Assert.False(assume.Headers.ContainsKey("authorization"));
        var call = Assert.Single(standIn.CallsOf("sqs", "GetQueueUrl"));
        Assert.Contains($"Credential={grant.AccessKeyId}/", call.Headers["authorization"], StringComparison.Ordinal);
        Assert.Contains("/us-west-2/sqs/aws4_request", call.Headers["authorization"], StringComparison.Ordinal);
        Assert.Equal(grant.SessionToken, call.Headers["x-amz-security-token"]);
    }

    [Fact]
    public async Task DefaultChain_Irsa_CallerIdentityIsTheAssumedRole()
    {
        using var directory = new TempDirectory();
        using var environment = new EnvironmentScope(Path.Combine(directory.Path, "nowhere"));
        var sts = new StsStandIn();
        await using var standIn = await new AwsStandIn().Add(sts).StartAsync().WaitAsync(s_timeout);
        environment.Set("AWS_ROLE_ARN", RoleArn);
        environment.Set("AWS_WEB_IDENTITY_TOKEN_FILE", directory.Write("token", ServiceAccountToken));
        environment.Set("AWS_ROLE_SESSION_NAME", "capstan-doctor");
        environment.Set("AWS_ENDPOINT_URL", standIn.Endpoint.ToString());
        environment.Set("AWS_REGION", "us-east-1");
        var factory = new AwsClientFactory(new AwsOptions(), AwsEndpoints.FromEnvironment());

        using var client = factory.CreateSts();
        var identity = await client.GetCallerIdentityAsync(new GetCallerIdentityRequest()).WaitAsync(s_timeout);

        Assert.Equal("arn:aws:sts::123456789012:assumed-role/capstan-controller/capstan-doctor", identity.Arn);
        Assert.Equal("123456789012", identity.Account);
        Assert.Equal("capstan-doctor", Assert.Single(sts.Grants).RoleSessionName);
    }

    [Fact]
    public async Task DefaultChain_PodIdentity_UsesTheContainerEndpointWithTheToken()
    {
        using var directory = new TempDirectory();
        using var environment = new EnvironmentScope(Path.Combine(directory.Path, "nowhere"));
        const string agentToken = "pod-identity-agent-token";
        await using var agent = await new ContainerCredentialsStandIn(agentToken).StartAsync().WaitAsync(s_timeout);
        var sqs = new SqsStandIn();
        sqs.CreateQueue("capstan-interruption");
        await using var standIn = await new AwsStandIn().Add(sqs).StartAsync().WaitAsync(s_timeout);
        environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.CredentialsUri.ToString());
        environment.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", directory.Write("eks-pod-identity-token", agentToken));
        environment.Set("AWS_ENDPOINT_URL", standIn.Endpoint.ToString());
        environment.Set("AWS_REGION", "eu-central-1");
        var factory = new AwsClientFactory(new AwsOptions(), AwsEndpoints.FromEnvironment());

        using var client = factory.CreateSqs();
        await client.GetQueueUrlAsync("capstan-interruption").WaitAsync(s_timeout);

        Assert.Contains(agentToken, agent.Authorizations);
        var call = Assert.Single(standIn.CallsOf("sqs", "GetQueueUrl"));
        Assert.Contains($"Credential={agent.AccessKeyId}/", call.Headers["authorization"], StringComparison.Ordinal);
        Assert.Contains("/eu-central-1/sqs/aws4_request", call.Headers["authorization"], StringComparison.Ordinal);
        Assert.Equal(agent.SessionToken, call.Headers["x-amz-security-token"]);
    }

    [Fact]
    public void FromEnvironment_ServiceSpecificOverride_WinsOverTheGlobalOne()
    {
        using var directory = new TempDirectory();
        using var environment = new EnvironmentScope(Path.Combine(directory.Path, "nowhere"));
        environment.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/");
        environment.Set("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:5001/");
        environment.Set("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:5002/");
        environment.Set("AWS_ENDPOINT_URL_SSM", " http://127.0.0.1:5003/ ");

        var endpoints = AwsEndpoints.FromEnvironment();

        Assert.Equal("http://127.0.0.1:5001/", endpoints.For("EC2"));
        Assert.Equal("http://127.0.0.1:5002/", endpoints.For("SQS"));
        Assert.Equal("http://127.0.0.1:5003/", endpoints.For("SSM"));
        Assert.Equal("http://127.0.0.1:4566/", endpoints.For("STS"));
    }

    [Fact]
    public async Task Clients_EndpointOverrides_EachServiceGoesWhereItsVariableSays()
    {
        using var directory = new TempDirectory();
        using var environment = new EnvironmentScope(Path.Combine(directory.Path, "nowhere"));
        var sts = new StsStandIn();
        var sqs = new SqsStandIn();
        sqs.CreateQueue("capstan-interruption");
        await using var global = await new AwsStandIn().Add(sts).StartAsync().WaitAsync(s_timeout);
        await using var sqsOnly = await new AwsStandIn().Add(sqs).StartAsync().WaitAsync(s_timeout);
        environment.Set("AWS_ENDPOINT_URL", global.Endpoint.ToString());
        environment.Set("AWS_ENDPOINT_URL_SQS", sqsOnly.Endpoint.ToString());
        environment.Set("AWS_REGION", "ap-southeast-2");
        var factory = new AwsClientFactory(new AwsOptions(), AwsEndpoints.FromEnvironment(), new BasicAWSCredentials("AKIDEXAMPLE", "secret"));

        using var stsClient = factory.CreateSts();
        using var sqsClient = factory.CreateSqs();
        await stsClient.GetCallerIdentityAsync(new GetCallerIdentityRequest()).WaitAsync(s_timeout);
        await sqsClient.GetQueueUrlAsync("capstan-interruption").WaitAsync(s_timeout);

        Assert.Equal(["GetCallerIdentity"], global.Calls.Select(c => c.Action));
        Assert.Equal(["GetQueueUrl"], sqsOnly.Calls.Select(c => c.Action));
        Assert.Equal("ap-southeast-2", factory.Region);
        Assert.Contains("/ap-southeast-2/sqs/aws4_request", sqsOnly.Calls[0].Headers["authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_RegionOption_WinsOverAwsRegion()
    {
        using var directory = new TempDirectory();
        using var environment = new EnvironmentScope(Path.Combine(directory.Path, "nowhere"));
        var sqs = new SqsStandIn();
        sqs.CreateQueue("capstan-interruption");
        await using var standIn = await new AwsStandIn().Add(sqs).StartAsync().WaitAsync(s_timeout);
        environment.Set("AWS_ENDPOINT_URL", standIn.Endpoint.ToString());
        environment.Set("AWS_REGION", "ap-southeast-2");
        var factory = new AwsClientFactory(new AwsOptions { Region = "eu-west-1" }, AwsEndpoints.FromEnvironment(), new BasicAWSCredentials("AKIDEXAMPLE", "secret"));

        using var client = factory.CreateSqs();
        await client.GetQueueUrlAsync("capstan-interruption").WaitAsync(s_timeout);

        Assert.Equal("eu-west-1", factory.Region);
        Assert.Contains("/eu-west-1/sqs/aws4_request", standIn.Calls[0].Headers["authorization"], StringComparison.Ordinal);
    }
}
