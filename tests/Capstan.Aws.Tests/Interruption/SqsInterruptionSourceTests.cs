using System.Text.Json.Nodes;
using Capstan.Core.Cloud;
using Capstan.Sandbox.Aws;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Aws.Tests.Interruption;

public sealed class SqsInterruptionSourceTests
{
    private const string Queue = SqsHarness.QueueName;
    private static readonly DateTimeOffset s_eventTime = new(2026, 3, 1, 10, 15, 30, TimeSpan.Zero);

    [Fact]
    public async Task ReceiveAsync_SpotInterruptionWarning_ParsedWithTwoMinuteDeadline()
    {
        await using var harness = await SqsHarness.StartAsync();
        var messageId = harness.Sqs.EnqueueSpotInterruption(Queue, "i-0123456789abcdef0", s_eventTime);

        var events = await harness.ReceiveAsync();

        var spot = Assert.Single(events);
        Assert.Equal(InterruptionKind.SpotInterrupted, spot.Kind);
        Assert.Equal(["i-0123456789abcdef0"], spot.InstanceIds);
        Assert.Equal(s_eventTime, spot.Time);
        Assert.Equal(s_eventTime.AddMinutes(2), spot.Deadline);
        Assert.Equal(messageId, spot.MessageId);
        Assert.False(string.IsNullOrEmpty(spot.Receipt));
    }

    [Fact]
    public async Task ReceiveAsync_AnyMessage_SendsTheLongPollOfKarpenterInJson10()
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.EnqueueRebalanceRecommendation(Queue, "i-0aaa", s_eventTime);

        await harness.ReceiveAsync();

        var call = Assert.Single(harness.Calls("ReceiveMessage"));
        Assert.Equal("AmazonSQS.ReceiveMessage", call.Headers["x-amz-target"]);
        Assert.StartsWith("application/x-amz-json-1.0", call.Headers["content-type"], StringComparison.Ordinal);
        var json = Assert.IsType<JsonObject>(call.Json);
        Assert.Equal(harness.Sqs.UrlOf(Queue), json["QueueUrl"]!.GetValue<string>());
        Assert.Equal(20, json["WaitTimeSeconds"]!.GetValue<int>());
        Assert.Equal(10, json["MaxNumberOfMessages"]!.GetValue<int>());
        Assert.Equal(20, json["VisibilityTimeout"]!.GetValue<int>());
        Assert.Equal(["SentTimestamp"], json["MessageSystemAttributeNames"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task ReceiveAsync_RebalanceRecommendation_ParsedWithoutDeadline()
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.EnqueueRebalanceRecommendation(Queue, "i-0bbb", s_eventTime);

        var rebalance = Assert.Single(await harness.ReceiveAsync());

        Assert.Equal(InterruptionKind.RebalanceRecommendation, rebalance.Kind);
        Assert.Equal(["i-0bbb"], rebalance.InstanceIds);
        Assert.Null(rebalance.Deadline);
    }

    [Theory]
    [InlineData("stopping", InterruptionKind.InstanceStopped)]
    [InlineData("stopped", InterruptionKind.InstanceStopped)]
    [InlineData("shutting-down", InterruptionKind.InstanceTerminated)]
    [InlineData("terminated", InterruptionKind.InstanceTerminated)]
    public async Task ReceiveAsync_StateChange_MapsStateToKind(string state, InterruptionKind expected)
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.EnqueueStateChange(Queue, "i-0ccc", state, s_eventTime);

        var change = Assert.Single(await harness.ReceiveAsync());

        Assert.Equal(expected, change.Kind);
        Assert.Equal(["i-0ccc"], change.InstanceIds);
        Assert.Equal(s_eventTime, change.Time);
        Assert.Equal(1, harness.Sqs.CountOf(Queue));
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("running")]
    public async Task ReceiveAsync_StateChangeThatIsNoInterruption_DeletedAndNotReturned(string state)
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.EnqueueStateChange(Queue, "i-0ddd", state, s_eventTime);

        var events = await harness.ReceiveAsync();

        Assert.Empty(events);
        Assert.Equal(0, harness.Sqs.CountOf(Queue));
        var line = Assert.Single(harness.Logger.AtLevel(LogLevel.Information), l => l.Contains("i-0ddd", StringComparison.Ordinal));
        Assert.Contains(state, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiveAsync_ScheduledChange_EveryAffectedInstanceWithStartTimeDeadline()
    {
        await using var harness = await SqsHarness.StartAsync();
        var start = new DateTimeOffset(2026, 3, 8, 6, 0, 0, TimeSpan.Zero);
        harness.Sqs.EnqueueScheduledChange(Queue, ["i-01", "i-02"], s_eventTime, start);

        var change = Assert.Single(await harness.ReceiveAsync());

        Assert.Equal(InterruptionKind.ScheduledChange, change.Kind);
        Assert.Equal(["i-01", "i-02"], change.InstanceIds);
        Assert.Equal(start, change.Deadline);
        Assert.Equal(s_eventTime, change.Time);
    }

    [Theory]
    [InlineData("RDS", "scheduledChange")]
    [InlineData("EC2", "issue")]
    [InlineData("EC2", "accountNotification")]
    public async Task ReceiveAsync_HealthEventThatIsNoEc2ScheduledChange_DeletedAndNotReturned(string service, string category)
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.Enqueue(Queue, EventBridgeEvents.HealthEvent(["i-03"], s_eventTime, s_eventTime.AddDays(3), service, category));

        Assert.Empty(await harness.ReceiveAsync());

        Assert.Equal(0, harness.Sqs.CountOf(Queue));
        Assert.Single(harness.Calls("DeleteMessageBatch"));
    }

    [Theory]
    [InlineData("this is { not json")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"source\": \"aws.ec2\"}")]
    [InlineData("{\"source\": \"aws.ec2\", \"detail-type\": \"EC2 Spot Instance Interruption Warning\", \"time\": \"2026-03-01T10:15:30Z\", \"detail\": {}}")]
    [InlineData("{\"source\": \"aws.ec2\", \"detail-type\": \"EC2 Spot Instance Interruption Warning\", \"detail\": \"oops\"}")]
    [InlineData("{\"source\": \"aws.health\", \"detail-type\": \"AWS Health Event\", \"detail\": {\"service\": \"EC2\", \"eventTypeCategory\": \"scheduledChange\", \"affectedEntities\": []}}")]
    public async Task ReceiveAsync_MalformedMessage_DeletedWithOneWarning(string body)
    {
        await using var harness = await SqsHarness.StartAsync();
        var id = harness.Sqs.Enqueue(Queue, body);

        Assert.Empty(await harness.ReceiveAsync());

        Assert.Equal(0, harness.Sqs.CountOf(Queue));
        var warning = Assert.Single(harness.Logger.AtLevel(LogLevel.Warning));
        Assert.Contains(id, warning, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning")]
    [InlineData("aws.ec2", "EC2 Fast Launch State-change Notification")]
    [InlineData("aws.autoscaling", "EC2 Instance-terminate Lifecycle Action")]
    public async Task ReceiveAsync_UnknownDetailType_DeletedWithOneWarningNamingIt(string source, string detailType)
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.Enqueue(Queue, EventBridgeEvents.Envelope(detailType, source, s_eventTime, "us-east-1", "123456789012", ["i-04"], new JsonObject { ["instance-id"] = "i-04" }));

        Assert.Empty(await harness.ReceiveAsync());

        Assert.Equal(0, harness.Sqs.CountOf(Queue));
        var warning = Assert.Single(harness.Logger.AtLevel(LogLevel.Warning));
        Assert.Contains(detailType, warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiveAsync_MixedBatch_ReturnsInterruptionsAndDeletesOnlyTheRestInOneBatch()
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.EnqueueSpotInterruption(Queue, "i-05", s_eventTime);
        harness.Sqs.Enqueue(Queue, "garbage");
        harness.Sqs.EnqueueStateChange(Queue, "i-06", "running", s_eventTime);
        harness.Sqs.EnqueueStateChange(Queue, "i-07", "terminated", s_eventTime);

        var events = await harness.ReceiveAsync();

        Assert.Equal([InterruptionKind.SpotInterrupted, InterruptionKind.InstanceTerminated], events.Select(e => e.Kind));
        Assert.Equal(2, harness.Sqs.CountOf(Queue));
        var batch = Assert.Single(harness.Calls("DeleteMessageBatch"));
        Assert.Equal(2, batch.Json!["Entries"]!.AsArray().Count);
        Assert.Empty(harness.Calls("DeleteMessage"));
    }

    [Fact]
    public async Task CompleteAsync_HandledMessage_DeletedOnlyThen()
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.EnqueueSpotInterruption(Queue, "i-08", s_eventTime);
        var spot = Assert.Single(await harness.ReceiveAsync());
        Assert.Equal(1, harness.Sqs.CountOf(Queue));
        Assert.Empty(harness.Calls("DeleteMessage"));

        await harness.Source.CompleteAsync(spot, CancellationToken.None).WaitAsync(SqsHarness.Timeout);

        var delete = Assert.Single(harness.Calls("DeleteMessage"));
        Assert.Equal("AmazonSQS.DeleteMessage", delete.Headers["x-amz-target"]);
        Assert.Equal(spot.Receipt, delete.Json!["ReceiptHandle"]!.GetValue<string>());
        Assert.Equal(harness.Sqs.UrlOf(Queue), delete.Json!["QueueUrl"]!.GetValue<string>());
        Assert.Equal(0, harness.Sqs.CountOf(Queue));
    }

    [Fact]
    public async Task ReceiveAsync_QueueName_ResolvedOnceThroughGetQueueUrl()
    {
        await using var harness = await SqsHarness.StartAsync();

        await harness.ReceiveAsyncAfterSending();
        await harness.ReceiveAsyncAfterSending();

        var lookup = Assert.Single(harness.Calls("GetQueueUrl"));
        Assert.Equal(Queue, lookup.Json!["QueueName"]!.GetValue<string>());
        Assert.Equal(harness.Sqs.UrlOf(Queue), harness.Source.QueueUrl);
    }

    [Fact]
    public async Task ReceiveAsync_QueueUrl_UsedAsIsWithoutGetQueueUrl()
    {
        var url = "https://sqs.us-east-1.amazonaws.com/123456789012/" + Queue;
        await using var harness = await SqsHarness.StartAsync(queue: url);
        harness.Sqs.EnqueueSpotInterruption(Queue, "i-09", s_eventTime);

        Assert.Single(await harness.ReceiveAsync());

        Assert.Empty(harness.Calls("GetQueueUrl"));
        Assert.Equal(url, harness.Calls("ReceiveMessage").Single().Json!["QueueUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReceiveAsync_MissingQueue_FailsInWordsNamingTheQueueError()
    {
        await using var harness = await SqsHarness.StartAsync(createQueue: false);

        var error = await Assert.ThrowsAsync<CloudProviderException>(harness.ReceiveAsync);

        Assert.Equal("GetQueueUrl", error.Operation);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(error.Retryable);
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", error.Code);
        Assert.Single(harness.Calls("GetQueueUrl"));
    }

    [Fact]
    public async Task ReceiveAsync_ThrottledReceive_RetriedUntilAnswered()
    {
        await using var harness = await SqsHarness.StartAsync();
        harness.Sqs.EnqueueSpotInterruption(Queue, "i-10", s_eventTime);
        harness.StandIn.Fail(new AwsFaultRule { Service = "sqs", Action = "ReceiveMessage", Fault = AwsFault.Throttle, Times = 2 });

        var spot = Assert.Single(await harness.ReceiveAsync());

        Assert.Equal("i-10", spot.InstanceIds[0]);
        Assert.Equal(3, harness.Calls("ReceiveMessage").Count);
    }

    [Fact]
    public async Task ReceiveAsync_EmptyQueue_LongPollsTwentySecondsOnTheClockThenAnswersEmpty()
    {
        var time = new FakeTimeProvider(s_eventTime);
        await using var harness = await SqsHarness.StartAsync(time: time);

        var receive = harness.Source.ReceiveAsync(CancellationToken.None);
        await harness.WaitForLongPollAsync();
        time.Advance(TimeSpan.FromSeconds(19));
        await SqsHarness.SettleAsync();
        Assert.False(receive.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(await receive.WaitAsync(SqsHarness.Timeout));
    }

    [Fact]
    public async Task ReceiveAsync_MessageArrivesDuringLongPoll_ReturnedAtOnce()
    {
        var time = new FakeTimeProvider(s_eventTime);
        await using var harness = await SqsHarness.StartAsync(time: time);

        var receive = harness.Source.ReceiveAsync(CancellationToken.None);
        await harness.WaitForLongPollAsync();
        time.Advance(TimeSpan.FromSeconds(5));
        harness.Sqs.EnqueueSpotInterruption(Queue, "i-11", time.GetUtcNow());

        var spot = Assert.Single(await receive.WaitAsync(SqsHarness.Timeout));
        Assert.Equal("i-11", spot.InstanceIds[0]);
    }

    [Fact]
    public async Task ReceiveAsync_UncompletedMessage_ComesBackAfterTheVisibilityTimeout()
    {
        var time = new FakeTimeProvider(s_eventTime);
        await using var harness = await SqsHarness.StartAsync(time: time);
        harness.Sqs.EnqueueSpotInterruption(Queue, "i-12", s_eventTime);
        var first = Assert.Single(await harness.ReceiveAsync());

        time.Advance(TimeSpan.FromSeconds(20));
        var again = Assert.Single(await harness.ReceiveAsync());

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.NotEqual(first.Receipt, again.Receipt);
    }
}
