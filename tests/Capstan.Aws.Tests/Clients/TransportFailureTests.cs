using System.Net;
using Capstan.Aws.AutoScaling;
using Capstan.Aws.Clients;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.Clients;

/// <summary>
/// A failure inside the HTTP client (System.Net.Http could not read the answer on a connection) is the connection's
/// fault: a call that may be repeated is tried again, and the message says so in words. The same exception type
/// thrown anywhere else is not taken for one.
/// </summary>
public sealed class TransportFailureTests
{
    private const string SetDesiredAnswer = """
        <SetDesiredCapacityResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
          <ResponseMetadata><RequestId>7c6e0f1a-0000-1111-2222-333344445555</RequestId></ResponseMetadata>
        </SetDesiredCapacityResponse>
        """;

    [Fact]
    public void AnExceptionFromInsideTheHttpClient_IsATransientTransportFailure_OneFromElsewhereIsNot()
    {
        var inside = Record.Exception(() => new HttpResponseMessage((HttpStatusCode)1000));
        var elsewhere = Record.Exception(new Action(() => throw new ArgumentOutOfRangeException("count")));

        Assert.IsType<ArgumentOutOfRangeException>(inside);
        Assert.True(AwsPipelines.IsTransient(inside));
        Assert.False(AwsPipelines.IsTransient(elsewhere));
        var translated = AwsErrors.Translate("EC2", "DescribeInstanceTypes", inside);
        Assert.True(translated.Retryable);
        Assert.Equal("EC2 DescribeInstanceTypes failed: the endpoint's answer could not be read", translated.Message);
        Assert.False(AwsErrors.Translate("EC2", "DescribeInstanceTypes", elsewhere).Retryable);
    }

    [Fact]
    public async Task AnIdempotentCall_WhoseAnswerCouldNotBeRead_IsTriedAgainAndSucceeds()
    {
        using var handler = new BrokenOnce(SetDesiredAnswer);
        using var client = new AutoScalingClient(new Uri("http://127.0.0.1:9/"), "us-east-1",
            _ => Task.FromResult<Amazon.Runtime.AWSCredentials>(new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "secret")),
            TimeProvider.System, TimeSpan.FromSeconds(10), handler);
        var pipelines = new AwsPipelines(new AwsOptions { CallTimeout = TimeSpan.FromSeconds(10), MaxRetries = 3 }, TimeProvider.System, () => 0.5)
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        };

        await AwsPipelines.RunAsync(pipelines.Idempotent("AutoScaling"), "AutoScaling", "SetDesiredCapacity",
            async t =>
            {
                await client.SetDesiredCapacityAsync(new SetDesiredCapacityRequest { AutoScalingGroupName = "ng", DesiredCapacity = 2 }, t);
                return true;
            },
            CancellationToken.None).WaitAsync(ReadWorld.Timeout);

        Assert.Equal(2, handler.Calls);
    }

    /// <summary>The first answer breaks inside System.Net.Http (as an unreadable status line does); the next ones are fine.</summary>
    private sealed class BrokenOnce(string body) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? Task.FromResult(new HttpResponseMessage((HttpStatusCode)1000))
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, System.Text.Encoding.UTF8, AwsReply.XmlContentType.Split(';')[0]) });
    }
}
