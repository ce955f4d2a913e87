using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Aws.Tests.Credentials;

/// <summary>The STS stand-in answers the real SDK as STS does.</summary>
public sealed class StsStandInTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly StsStandIn _sts = new(new FakeTimeProvider(s_now));
    private AwsStandIn? _standIn;
    private AmazonSecurityTokenServiceClient? _client;

    private AmazonSecurityTokenServiceClient Client => _client!;

    public async Task InitializeAsync()
    {
        _standIn = await new AwsStandIn().Add(_sts).StartAsync().WaitAsync(s_timeout);
        _client = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials("AKIDEXAMPLE", "secret"),
            new AmazonSecurityTokenServiceConfig { ServiceURL = _standIn.Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
    }

    public void Dispose() => _client?.Dispose();

    public async Task DisposeAsync()
    {
        if (_standIn is not null)
        {
            await _standIn.DisposeAsync();
        }
    }

    [Fact]
    public async Task GetCallerIdentity_LongTermKey_AnswersTheUser()
    {
        var identity = await Client.GetCallerIdentityAsync(new GetCallerIdentityRequest()).WaitAsync(s_timeout);

        Assert.Equal(_sts.UserArn, identity.Arn);
        Assert.Equal("123456789012", identity.Account);
        Assert.StartsWith("AIDA", identity.UserId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_ValidToken_IssuesTemporaryCredentialsAndRecordsTheCall()
    {
        var response = await Client.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = "arn:aws:iam::210987654321:role/path/capstan",
            RoleSessionName = "s1",
            WebIdentityToken = "a.b.c",
            DurationSeconds = 900,
        }).WaitAsync(s_timeout);

        var grant = Assert.Single(_sts.Grants);
        Assert.Equal(("arn:aws:iam::210987654321:role/path/capstan", "a.b.c"), (grant.RoleArn, grant.WebIdentityToken));
        Assert.Equal(grant.AccessKeyId, response.Credentials.AccessKeyId);
        Assert.StartsWith("ASIA", response.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal(grant.SessionToken, response.Credentials.SessionToken);
        Assert.Equal("arn:aws:sts::210987654321:assumed-role/capstan/s1", response.AssumedRoleUser.Arn);
        Assert.Equal(s_now.AddSeconds(900), grant.Expiration);
        Assert.Equal(s_now.AddSeconds(900), new DateTimeOffset(response.Credentials.Expiration!.Value.ToUniversalTime(), TimeSpan.Zero));
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_NotAJwt_InvalidIdentityToken()
    {
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Client.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = "arn:aws:iam::123456789012:role/capstan",
            RoleSessionName = "s1",
            WebIdentityToken = "opaque-access-token",
        }).WaitAsync(s_timeout));

        Assert.Empty(_sts.Grants);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_MalformedRoleArn_ValidationError()
    {
        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => Client.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = "arn:aws:iam::123:role/capstan",
            RoleSessionName = "s1",
            WebIdentityToken = "a.b.c",
        }).WaitAsync(s_timeout));

        Assert.Equal("ValidationError", error.ErrorCode);
    }
}
