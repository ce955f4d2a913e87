using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Capstan.Aws.Clients;
using Capstan.Core.Cloud;
using Capstan.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Interruption;

/// <summary>
/// The interruption queue (Karpenter's interruption handling): long polls the SQS queue EventBridge feeds (WaitTimeSeconds 20, up
/// to 10 messages, VisibilityTimeout 20) and turns the events into <see cref="InterruptionEvent"/>s: spot interruption
/// warnings, rebalance recommendations, EC2 state changes to stopping/stopped and shutting-down/terminated, and AWS
/// Health scheduled changes for EC2. Every other message (unreadable, unknown, or not an interruption) is logged and
/// deleted at once; an interruption is deleted when the caller completes it.
/// </summary>
public sealed class SqsInterruptionSource : IInterruptionSource, IDisposable
{
    public const int WaitTimeSeconds = 20;
    public const int MaxNumberOfMessages = 10;
    public const int VisibilityTimeoutSeconds = 20;

    private const string Service = "SQS";
    private static readonly TimeSpan s_spotWarning = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(WaitTimeSeconds);

    private readonly AwsPipelines _pipelines;
    private readonly TimeProvider _time;
    private readonly ILogger<SqsInterruptionSource> _logger;
    private readonly string _queue;
    private readonly Lazy<AmazonSQSClient> _sqs;
    private readonly SemaphoreSlim _resolve = new(1, 1);
    private string? _queueUrl;

    public SqsInterruptionSource(AwsClientFactory clients, AwsPipelines pipelines, AwsOptions options, TimeProvider time, ILogger<SqsInterruptionSource> logger)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        _pipelines = pipelines;
        _time = time;
        _logger = logger;
        _queue = options.InterruptionQueue?.Trim() ?? "";

        // The HTTP timeout must outlast the long poll's wait.
        var timeout = options.CallTimeout + s_wait;
        _sqs = new Lazy<AmazonSQSClient>(() => clients.CreateSqs(timeout), LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The queue URL once resolved (a URL given as the queue is used as is).</summary>
    public string? QueueUrl => _queueUrl;

    public async Task<IReadOnlyList<InterruptionEvent>> ReceiveAsync(CancellationToken cancellationToken)
    {
        var url = await QueueUrlAsync(cancellationToken);
        var request = new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = MaxNumberOfMessages,
            WaitTimeSeconds = WaitTimeSeconds,
            VisibilityTimeout = VisibilityTimeoutSeconds,
            MessageSystemAttributeNames = ["SentTimestamp"],
        };
        var response = await AwsPipelines.RunAsync(_pipelines.LongPoll(Service, s_wait), Service, "ReceiveMessage",
            token => _sqs.Value.ReceiveMessageAsync(request, token), cancellationToken);
        var messages = response.Messages ?? [];
        var events = new List<InterruptionEvent>(messages.Count);
        var discard = new List<Message>();
        foreach (var message in messages)
        {
            if (Parse(message) is { } interruption)
            {
                events.Add(interruption);
            }
            else
            {
                discard.Add(message);
            }
        }

        if (discard.Count > 0)
        {
            await DiscardAsync(url, discard, cancellationToken);
        }

        _logger.InterruptionReceived(messages.Count, events.Count, discard.Count);
        return events;
    }

    public async Task CompleteAsync(InterruptionEvent interruption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interruption);
        var url = await QueueUrlAsync(cancellationToken);
        var request = new DeleteMessageRequest { QueueUrl = url, ReceiptHandle = interruption.Receipt };
        await AwsPipelines.RunAsync(_pipelines.Idempotent(Service), Service, "DeleteMessage",
            token => _sqs.Value.DeleteMessageAsync(request, token), cancellationToken);
    }

    public void Dispose()
    {
        if (_sqs.IsValueCreated)
        {
            _sqs.Value.Dispose();
        }

        _resolve.Dispose();
    }

    private async Task<string> QueueUrlAsync(CancellationToken cancellationToken)
    {
        if (_queueUrl is { } known)
        {
            return known;
        }

        if (_queue.Length == 0)
        {
            throw new InvalidOperationException("No interruption queue is configured (Capstan:Aws:InterruptionQueue, --interruption-queue).");
        }

        await _resolve.WaitAsync(cancellationToken);
        try
        {
            if (_queueUrl is null)
            {
                if (_queue.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || _queue.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                {
                    _queueUrl = _queue;
                }
                else
                {
                    var response = await AwsPipelines.RunAsync(_pipelines.Idempotent(Service), Service, "GetQueueUrl",
                        token => _sqs.Value.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = _queue }, token), cancellationToken);
                    _queueUrl = response.QueueUrl;
                }

                _logger.InterruptionQueueResolved(_queue, _queueUrl);
            }

            return _queueUrl;
        }
        finally
        {
            _resolve.Release();
        }
    }

    private async Task DiscardAsync(string url, List<Message> messages, CancellationToken cancellationToken)
    {
        var request = new DeleteMessageBatchRequest
        {
            QueueUrl = url,
            Entries = [.. messages.Select((m, i) => new DeleteMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), ReceiptHandle = m.ReceiptHandle })],
        };
        try
        {
            var response = await AwsPipelines.RunAsync(_pipelines.Idempotent(Service), Service, "DeleteMessageBatch",
                token => _sqs.Value.DeleteMessageBatchAsync(request, token), cancellationToken);
            if (response.Failed is { Count: > 0 } failed)
            {
                _logger.InterruptionDiscardFailed(failed.Count, string.Join("; ", failed.Select(f => f.Code).Distinct(StringComparer.Ordinal)));
            }
        }
        catch (CloudProviderException e)
        {
            // Not fatal: the messages reappear after the visibility timeout and are discarded then.
            _logger.InterruptionDiscardFailed(messages.Count, e.Message);
        }
    }

    /// <summary>The interruption a message announces, or null (logged) when it is to be deleted unused.</summary>
    private InterruptionEvent? Parse(Message message)
    {
        var id = message.MessageId ?? "";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Body ?? "");
        }
        catch (JsonException)
        {
            _logger.InterruptionMessageUnreadable(id, "its body is not JSON");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "source") is not { } source || Text(root, "detail-type") is not { } detailType)
            {
                _logger.InterruptionMessageUnreadable(id, "it is not an EventBridge event (no source or detail-type)");
                return null;
            }

            if (!root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
            {
                _logger.InterruptionMessageUnreadable(id, $"the {source} \"{detailType}\" event has no detail");
                return null;
            }

            var time = EventTime(root, message);
            InterruptionEvent Event(InterruptionKind kind, IReadOnlyList<string> instances, DateTimeOffset? deadline) => new()
            {
                Kind = kind,
                InstanceIds = instances,
                Time = time,
                Deadline = deadline,
                MessageId = id,
                Receipt = message.ReceiptHandle ?? "",
            };

            switch (source, detailType)
            {
                case ("aws.ec2", "EC2 Spot Instance Interruption Warning"):
                    return Instance(detail, id, detailType) is { } spot ? Event(InterruptionKind.SpotInterrupted, [spot], time + s_spotWarning) : null;
                case ("aws.ec2", "EC2 Instance Rebalance Recommendation"):
                    return Instance(detail, id, detailType) is { } rebalance ? Event(InterruptionKind.RebalanceRecommendation, [rebalance], null) : null;
                case ("aws.ec2", "EC2 Instance State-change Notification"):
                    if (Instance(detail, id, detailType) is not { } changed)
                    {
                        return null;
                    }

                    var state = Text(detail, "state") ?? "";
                    switch (state)
                    {
                        case "stopping" or "stopped":
                            return Event(InterruptionKind.InstanceStopped, [changed], null);
                        case "shutting-down" or "terminated":
                            return Event(InterruptionKind.InstanceTerminated, [changed], null);
                        default:
                            _logger.InterruptionStateIgnored(changed, state.Length == 0 ? "(none given)" : state, id);
                            return null;
                    }

                case ("aws.health", "AWS Health Event"):
                    return HealthEvent(detail, id, time, Event);
                default:
                    _logger.InterruptionMessageUnknown(id, source, detailType);
                    return null;
            }
        }
    }

    private InterruptionEvent? HealthEvent(JsonElement detail, string id, DateTimeOffset time, Func<InterruptionKind, IReadOnlyList<string>, DateTimeOffset?, InterruptionEvent> make)
    {
        var service = Text(detail, "service") ?? "";
        var category = Text(detail, "eventTypeCategory") ?? "";
        if (service != "EC2" || category != "scheduledChange")
        {
            _logger.InterruptionHealthIgnored(service.Length == 0 ? "(none given)" : service, category.Length == 0 ? "(none given)" : category, id);
            return null;
        }

        var instances = new List<string>();
        if (detail.TryGetProperty("affectedEntities", out var entities) && entities.ValueKind == JsonValueKind.Array)
        {
            foreach (var entity in entities.EnumerateArray())
            {
                if (entity.ValueKind == JsonValueKind.Object && Text(entity, "entityValue") is { Length: > 0 } value)
                {
                    instances.Add(value);
                }
            }
        }

        if (instances.Count == 0)
        {
            _logger.InterruptionMessageUnreadable(id, "the AWS Health scheduled change names no affected instance");
            return null;
        }

        return make(InterruptionKind.ScheduledChange, instances, ParseTime(Text(detail, "startTime")));
    }

    private string? Instance(JsonElement detail, string id, string detailType)
    {
        if (Text(detail, "instance-id") is { Length: > 0 } instance)
        {
            return instance;
        }

        _logger.InterruptionMessageUnreadable(id, $"the \"{detailType}\" event names no instance (detail.instance-id)");
        return null;
    }

    /// <summary>The event's <c>time</c>; else when SQS got the message (<c>SentTimestamp</c>); else now.</summary>
    private DateTimeOffset EventTime(JsonElement root, Message message)
    {
        if (ParseTime(Text(root, "time")) is { } time)
        {
            return time;
        }

        if (message.Attributes is { } attributes && attributes.TryGetValue("SentTimestamp", out var sent)
            && long.TryParse(sent, NumberStyles.None, CultureInfo.InvariantCulture, out var millis))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(millis);
        }

        return _time.GetUtcNow();
    }

    /// <summary>EventBridge's ISO 8601 times and AWS Health's RFC 1123 ones (<c>Sat, 05 Jun 2016 15:10:09 GMT</c>).</summary>
    private static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        return DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, styles, out var rfc) ? rfc
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var iso) ? iso
            : null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
