using Amazon.Runtime;
using Capstan.Aws.Clients;
using Capstan.Aws.Interruption;
using Capstan.Sandbox.Aws;

namespace Capstan.Aws.Tests.Interruption;

/// <summary>The real SQS client, through <see cref="SqsInterruptionSource"/>, against the stand-in's SQS.</summary>
public sealed class SqsHarness : IAsyncDisposable
{
    public const string QueueName = "capstan-interruption";

    private SqsHarness(AwsStandIn standIn, SqsStandIn sqs, AwsOptions options, TimeProvider time)
    {
        StandIn = standIn;
        Sqs = sqs;
        Options = options;
        var factory = new AwsClientFactory(options, new AwsEndpoints(k => k == "AWS_ENDPOINT_URL" ? standIn.Endpoint.ToString() : null), new BasicAWSCredentials("AKIDEXAMPLE", "secret"));
        Pipelines = new AwsPipelines(options, time, () => 0.5) { RetryBaseDelay = TimeSpan.FromMilliseconds(10) };
        Source = new SqsInterruptionSource(factory, Pipelines, options, time, Logger);
    }

    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(30);

    public AwsStandIn StandIn { get; }

    public SqsStandIn Sqs { get; }

    public AwsOptions Options { get; }

    public AwsPipelines Pipelines { get; }

    public RecordingLogger<SqsInterruptionSource> Logger { get; } = new();

    public SqsInterruptionSource Source { get; }

    /// <param name="queue">what <c>InterruptionQueue</c> is set to; null: the queue's name</param>
    /// <param name="time">the clock of the stand-in and the pipelines; null: the system clock</param>
    /// <param name="createQueue">false leaves the stand-in without the queue</param>
    public static async Task<SqsHarness> StartAsync(string? queue = null, TimeProvider? time = null, bool createQueue = true)
    {
        time ??= TimeProvider.System;
        var sqs = new SqsStandIn(time);
        if (createQueue)
        {
            sqs.CreateQueue(QueueName);
        }

        var standIn = await new AwsStandIn(time).Add(sqs).StartAsync().WaitAsync(Timeout);
        var options = new AwsOptions { Region = "us-east-1", InterruptionQueue = queue ?? QueueName, CallTimeout = TimeSpan.FromSeconds(10), MaxRetries = 3 };
        return new SqsHarness(standIn, sqs, options, time);
    }

    public Task<IReadOnlyList<Core.Cloud.InterruptionEvent>> ReceiveAsync() => Source.ReceiveAsync(CancellationToken.None).WaitAsync(Timeout);

    public IReadOnlyList<AwsCall> Calls(string action) => StandIn.CallsOf("sqs", action);

    /// <summary>Sends a rebalance recommendation and receives it (a receive that returns at once).</summary>
    public async Task ReceiveAsyncAfterSending()
    {
        Sqs.EnqueueRebalanceRecommendation(QueueName, "i-0fff", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var events = await ReceiveAsync();
        foreach (var interruption in events)
        {
            await Source.CompleteAsync(interruption, CancellationToken.None).WaitAsync(Timeout);
        }
    }

    /// <summary>Waits (real time, bounded) until a ReceiveMessage is parked in the stand-in's long poll.</summary>
    public async Task WaitForLongPollAsync()
    {
        var start = TimeProvider.System.GetTimestamp();
        while (Sqs.LongPollsWaiting == 0)
        {
            if (TimeProvider.System.GetElapsedTime(start) > Timeout)
            {
                throw new TimeoutException("no ReceiveMessage reached the stand-in's long poll");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    /// <summary>Gives in-flight requests a moment of real time to reach their wait.</summary>
    public static Task SettleAsync() => Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);

    public async ValueTask DisposeAsync()
    {
        Source.Dispose();
        await StandIn.DisposeAsync();
    }
}
