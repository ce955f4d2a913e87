using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.Interruption;

/// <summary>The SQS stand-in answers the real SDK as SQS does: errors, batches, attributes, MD5 of the body.</summary>
public sealed class SqsStandInTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly SqsStandIn _sqs = new();
    private AwsStandIn? _standIn;
    private AmazonSQSClient? _client;

    private AmazonSQSClient Client => _client!;

    public async Task InitializeAsync()
    {
        _standIn = await new AwsStandIn().Add(_sqs).StartAsync().WaitAsync(s_timeout);
        _client = new AmazonSQSClient(new BasicAWSCredentials("AKIDEXAMPLE", "secret"),
            new AmazonSQSConfig { ServiceURL = _standIn.Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
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
    public async Task CreateSendReceive_RoundTrip_BodyAttributesAndMd5AsSqs()
    {
        var url = (await Client.CreateQueueAsync("events").WaitAsync(s_timeout)).QueueUrl;
        var sent = await Client.SendMessageAsync(url, "{\"hello\": \"world\"}").WaitAsync(s_timeout);

        var received = await Client.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = 10,
            MessageSystemAttributeNames = ["All"],
        }).WaitAsync(s_timeout);

        Assert.Equal("https://sqs.us-east-1.amazonaws.com/123456789012/events", url);
        var message = Assert.Single(received.Messages);
        Assert.Equal(sent.MessageId, message.MessageId);
        Assert.Equal("{\"hello\": \"world\"}", message.Body);
        Assert.Equal("1", message.Attributes["ApproximateReceiveCount"]);
        Assert.True(long.Parse(message.Attributes["SentTimestamp"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(sent.MD5OfMessageBody, message.MD5OfBody);
    }

    [Fact]
    public async Task GetQueueUrl_UnknownQueue_QueueDoesNotExistAsSqsSaysIt()
    {
        var error = await Assert.ThrowsAsync<QueueDoesNotExistException>(() => Client.GetQueueUrlAsync("nope").WaitAsync(s_timeout));

        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task DeleteMessage_GarbageReceipt_ReceiptHandleIsInvalid()
    {
        var url = _sqs.CreateQueue("events");

        var error = await Assert.ThrowsAsync<ReceiptHandleIsInvalidException>(() => Client.DeleteMessageAsync(url, "not-a-receipt").WaitAsync(s_timeout));

        Assert.Equal("ReceiptHandleIsInvalid", error.ErrorCode);
    }

    [Fact]
    public async Task DeleteMessageBatch_OneGoodOneGarbage_ReportsEachEntry()
    {
        var url = _sqs.CreateQueue("events");
        _sqs.Enqueue("events", "a");
        var message = Assert.Single((await Client.ReceiveMessageAsync(url).WaitAsync(s_timeout)).Messages);

        var response = await Client.DeleteMessageBatchAsync(url,
            [new DeleteMessageBatchRequestEntry("good", message.ReceiptHandle), new DeleteMessageBatchRequestEntry("bad", "garbage")]).WaitAsync(s_timeout);

        Assert.Equal("good", Assert.Single(response.Successful).Id);
        var failed = Assert.Single(response.Failed);
        Assert.Equal(("bad", "ReceiptHandleIsInvalid", true), (failed.Id, failed.Code, failed.SenderFault ?? false));
        Assert.Equal(0, _sqs.CountOf("events"));
    }

    [Fact]
    public async Task ReceiveMessage_TooManyMessages_InvalidParameterValue()
    {
        var url = _sqs.CreateQueue("events");

        var error = await Assert.ThrowsAnyAsync<AmazonSQSException>(() =>
            Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 11 }).WaitAsync(s_timeout));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
    }
}
