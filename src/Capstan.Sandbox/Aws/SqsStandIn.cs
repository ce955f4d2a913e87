using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// SQS behind the <see cref="AwsStandIn"/>, in the AWS JSON 1.0 protocol the SDK speaks (<c>X-Amz-Target:
/// AmazonSQS.ReceiveMessage</c>, <c>application/x-amz-json-1.0</c>): queues by name, messages with visibility
/// timeouts and receipt handles, long polls that wait on the stand-in's clock, and SQS's own errors
/// (<c>QueueDoesNotExist</c> with the <c>x-amzn-query-error</c> header the SDK maps it by).
/// </summary>
public sealed class SqsStandIn : IAwsService
{
    public const string ContentType = "application/x-amz-json-1.0";

    private const int DefaultVisibilitySeconds = 30;

    private readonly Dictionary<string, SqsQueue> _queues = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _sequence;
    private int _waiting;

    public SqsStandIn(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    public string Name => "sqs";

    public string Region { get; init; } = "us-east-1";

    public string AccountId { get; init; } = "123456789012";

    /// <summary>The queue URL AWS gives a queue of this name (<c>https://sqs.us-east-1.amazonaws.com/123456789012/name</c>).</summary>
    public string UrlOf(string queueName) => $"https://sqs.{Region}.amazonaws.com/{AccountId}/{queueName}";

    /// <summary>Creates a queue (or returns the one of that name) and its URL.</summary>
    public string CreateQueue(string queueName, int visibilityTimeoutSeconds = DefaultVisibilitySeconds)
    {
        lock (_gate)
        {
            if (!_queues.ContainsKey(queueName))
            {
                _queues[queueName] = new SqsQueue(queueName, visibilityTimeoutSeconds);
            }

            return UrlOf(queueName);
        }
    }

    /// <summary>Puts a message on a queue (which must exist) and returns its message id.</summary>
    public string Enqueue(string queueName, string body)
    {
        lock (_gate)
        {
            if (!_queues.TryGetValue(queueName, out var queue))
            {
                throw new InvalidOperationException($"the SQS stand-in has no queue named '{queueName}'");
            }

            return Add(queue, body, TimeSpan.Zero);
        }
    }

    public string EnqueueSpotInterruption(string queueName, string instanceId, DateTimeOffset time, string action = "terminate") =>
        Enqueue(queueName, EventBridgeEvents.SpotInterruptionWarning(instanceId, time, action, Region, AccountId));

    public string EnqueueRebalanceRecommendation(string queueName, string instanceId, DateTimeOffset time) =>
        Enqueue(queueName, EventBridgeEvents.RebalanceRecommendation(instanceId, time, Region, AccountId));

    public string EnqueueStateChange(string queueName, string instanceId, string state, DateTimeOffset time) =>
        Enqueue(queueName, EventBridgeEvents.StateChange(instanceId, state, time, Region, AccountId));

    public string EnqueueScheduledChange(string queueName, IReadOnlyList<string> instanceIds, DateTimeOffset time, DateTimeOffset startTime) =>
        Enqueue(queueName, EventBridgeEvents.HealthEvent(instanceIds, time, startTime, region: Region, account: AccountId));

    /// <summary>How many ReceiveMessage calls are waiting in a long poll right now (tests wait for one before moving the clock).</summary>
    public int LongPollsWaiting => Volatile.Read(ref _waiting);

    /// <summary>How many messages a queue holds, in flight (received, not yet deleted) or not.</summary>
    public int CountOf(string queueName)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(queueName, out var queue) ? queue.Messages.Count : 0;
        }
    }

    /// <summary>The bodies a queue still holds, oldest first.</summary>
    public IReadOnlyList<string> BodiesIn(string queueName)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(queueName, out var queue) ? [.. queue.Messages.Select(m => m.Body)] : [];
        }
    }

    public async ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = request.Json as JsonObject ?? [];
        return request.Action switch
        {
            "CreateQueue" => Locked(() => CreateQueueReply(json)),
            "GetQueueUrl" => Locked(() => GetQueueUrl(json)),
            "SendMessage" => Locked(() => SendMessage(json)),
            "ReceiveMessage" => await ReceiveMessageAsync(json, cancellationToken),
            "DeleteMessage" => Locked(() => DeleteMessage(json)),
            "DeleteMessageBatch" => Locked(() => DeleteMessageBatch(json)),
            "GetQueueAttributes" => Locked(() => GetQueueAttributes(json)),
            _ => Error("InvalidAction", "AWS.SimpleQueueService.InvalidAction", $"The action {request.Action} is not valid for this endpoint."),
        };
    }

    private AwsReply Locked(Func<AwsReply> handler)
    {
        lock (_gate)
        {
            return handler();
        }
    }

    private AwsReply CreateQueueReply(JsonObject json)
    {
        var name = json["QueueName"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name) || name.Length > 80 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return Error("InvalidParameterValue", "InvalidParameterValue",
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }

        var visibility = DefaultVisibilitySeconds;
        if (json["Attributes"]?["VisibilityTimeout"]?.GetValue<string>() is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var seconds))
        {
            visibility = seconds;
        }

        if (!_queues.ContainsKey(name))
        {
            _queues[name] = new SqsQueue(name, visibility);
        }

        return Reply(new JsonObject { ["QueueUrl"] = UrlOf(name) });
    }

    private AwsReply GetQueueUrl(JsonObject json)
    {
        var name = json["QueueName"]?.GetValue<string>() ?? "";
        return _queues.ContainsKey(name) ? Reply(new JsonObject { ["QueueUrl"] = UrlOf(name) }) : QueueDoesNotExist();
    }

    /// <summary>The attributes asked for (or <c>All</c>) that the stand-in keeps: message counts, visibility timeout, ARN.</summary>
    private AwsReply GetQueueAttributes(JsonObject json)
    {
        if (Find(json) is not { } queue)
        {
            return QueueDoesNotExist();
        }

        var now = _time.GetUtcNow();
        var known = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ApproximateNumberOfMessages"] = queue.Messages.Count(m => m.VisibleAt <= now).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ApproximateNumberOfMessagesNotVisible"] = queue.Messages.Count(m => m.VisibleAt > now).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VisibilityTimeout"] = queue.VisibilityTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["QueueArn"] = $"arn:aws:sqs:{Region}:{AccountId}:{queue.Name}",
        };
        var asked = (json["AttributeNames"] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").ToList() ?? [];
        var attributes = new JsonObject();
        foreach (var (name, value) in known)
        {
            if (asked.Contains("All") || asked.Contains(name))
            {
                attributes[name] = value;
            }
        }

        return Reply(new JsonObject { ["Attributes"] = attributes });
    }

    private AwsReply SendMessage(JsonObject json)
    {
        if (Find(json) is not { } queue)
        {
            return QueueDoesNotExist();
        }

        var body = json["MessageBody"]?.GetValue<string>();
        if (string.IsNullOrEmpty(body))
        {
            return Error("MissingParameter", "AWS.SimpleQueueService.MissingParameter", "The request must contain the parameter MessageBody.");
        }

        var delay = json["DelaySeconds"]?.GetValue<int>() ?? 0;
        var id = Add(queue, body, TimeSpan.FromSeconds(delay));
        return Reply(new JsonObject { ["MessageId"] = id, ["MD5OfMessageBody"] = Md5(body) });
    }

    private async ValueTask<AwsReply> ReceiveMessageAsync(JsonObject json, CancellationToken cancellationToken)
    {
        int max, wait, visibility;
        SqsQueue queue;
        lock (_gate)
        {
            if (Find(json) is not { } found)
            {
                return QueueDoesNotExist();
            }

            queue = found;
            max = json["MaxNumberOfMessages"]?.GetValue<int>() ?? 1;
            wait = json["WaitTimeSeconds"]?.GetValue<int>() ?? 0;
            visibility = json["VisibilityTimeout"]?.GetValue<int>() ?? queue.VisibilityTimeoutSeconds;
        }

        if (max is < 1 or > 10)
        {
            return Error("InvalidParameterValue", "InvalidParameterValue",
                $"Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        }

        if (wait is < 0 or > 20)
        {
            return Error("InvalidParameterValue", "InvalidParameterValue",
                $"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
        }

        var wanted = Names(json["MessageSystemAttributeNames"]).Concat(Names(json["AttributeNames"])).ToHashSet(StringComparer.Ordinal);
        var deadline = _time.GetUtcNow().AddSeconds(wait);
        while (true)
        {
            Task signal;
            TimeSpan sleep;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                var taken = queue.Messages.Where(m => m.VisibleAt <= now).Take(max).ToList();
                if (taken.Count > 0 || now >= deadline)
                {
                    var messages = new JsonArray();
                    foreach (var message in taken)
                    {
                        messages.Add(Deliver(message, now, visibility, wanted));
                    }

                    return Reply(taken.Count == 0 ? [] : new JsonObject { ["Messages"] = messages });
                }

                // Sleep until the wait ends or the next in-flight message becomes visible, whichever is first; a send wakes us.
                var wake = queue.Messages.Select(m => m.VisibleAt).Where(t => t > now).DefaultIfEmpty(deadline).Min();
                sleep = (wake < deadline ? wake : deadline) - now;
                signal = queue.Arrival.Task;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = Task.Delay(sleep, _time, stop.Token);
            Interlocked.Increment(ref _waiting);
            try
            {
                await Task.WhenAny(signal, timer);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            await stop.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private JsonObject Deliver(SqsMessage message, DateTimeOffset now, int visibility, HashSet<string> wanted)
    {
        message.ReceiveCount++;
        message.FirstReceivedAt ??= now;
        message.VisibleAt = now.AddSeconds(visibility);
        message.Receipt = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{message.Id}#{Interlocked.Increment(ref _sequence)}"));
        var all = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SenderId"] = "AIDAEXAMPLESENDER",
            ["SentTimestamp"] = message.SentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["ApproximateReceiveCount"] = message.ReceiveCount.ToString(CultureInfo.InvariantCulture),
            ["ApproximateFirstReceiveTimestamp"] = message.FirstReceivedAt.Value.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
        var attributes = new JsonObject();
        foreach (var (name, value) in all)
        {
            if (wanted.Contains("All") || wanted.Contains(name))
            {
                attributes[name] = value;
            }
        }

        var reply = new JsonObject
        {
            ["MessageId"] = message.Id,
            ["ReceiptHandle"] = message.Receipt,
            ["MD5OfBody"] = Md5(message.Body),
            ["Body"] = message.Body,
        };
        if (attributes.Count > 0)
        {
            reply["Attributes"] = attributes;
        }

        return reply;
    }

    private AwsReply DeleteMessage(JsonObject json)
    {
        if (Find(json) is not { } queue)
        {
            return QueueDoesNotExist();
        }

        var receipt = json["ReceiptHandle"]?.GetValue<string>() ?? "";
        return Delete(queue, receipt) is { } error ? Error("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", error) : Reply([]);
    }

    private AwsReply DeleteMessageBatch(JsonObject json)
    {
        if (Find(json) is not { } queue)
        {
            return QueueDoesNotExist();
        }

        var entries = json["Entries"] as JsonArray ?? [];
        if (entries.Count == 0)
        {
            return Error("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one DeleteMessageBatchRequestEntry in the request.");
        }

        if (entries.Count > 10)
        {
            return Error("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                $"Maximum number of entries per request are 10. You have sent {entries.Count}.");
        }

        var successful = new JsonArray();
        var failed = new JsonArray();
        foreach (var entry in entries)
        {
            var id = entry?["Id"]?.GetValue<string>() ?? "";
            var receipt = entry?["ReceiptHandle"]?.GetValue<string>() ?? "";
            if (Delete(queue, receipt) is { } error)
            {
                failed.Add(new JsonObject { ["Id"] = id, ["SenderFault"] = true, ["Code"] = "ReceiptHandleIsInvalid", ["Message"] = error });
            }
            else
            {
                successful.Add(new JsonObject { ["Id"] = id });
            }
        }

        return Reply(new JsonObject { ["Successful"] = successful, ["Failed"] = failed });
    }

    /// <summary>Deletes the message a receipt names; an old receipt of a message already gone succeeds, as in SQS.</summary>
    private static string? Delete(SqsQueue queue, string receipt)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(receipt));
        }
        catch (FormatException)
        {
            decoded = "";
        }

        var hash = decoded.IndexOf('#', StringComparison.Ordinal);
        if (hash <= 0)
        {
            return $"The input receipt handle \"{receipt}\" is not a valid receipt handle.";
        }

        var id = decoded[..hash];
        queue.Messages.RemoveAll(m => m.Id == id);
        return null;
    }

    private string Add(SqsQueue queue, string body, TimeSpan delay)
    {
        var now = _time.GetUtcNow();
        var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{queue.Name}|{Interlocked.Increment(ref _sequence)}")).AsSpan(0, 16)).ToString();
        queue.Messages.Add(new SqsMessage(id, body, now) { VisibleAt = now + delay });
        queue.Pulse();
        return id;
    }

    private SqsQueue? Find(JsonObject json)
    {
        var url = json["QueueUrl"]?.GetValue<string>() ?? "";
        var slash = url.TrimEnd('/').LastIndexOf('/');
        var name = slash < 0 ? url : url.TrimEnd('/')[(slash + 1)..];
        return _queues.GetValueOrDefault(name);
    }

    private static IEnumerable<string> Names(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n?.GetValue<string>() ?? "") : [];

    private static AwsReply Reply(JsonObject body) => AwsReply.Json(body, ContentType);

    private static AwsReply QueueDoesNotExist() =>
        Error("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");

    /// <summary>SQS's JSON error: the modelled <c>__type</c>, and the old Query code in <c>x-amzn-query-error</c>.</summary>
    private static AwsReply Error(string type, string queryCode, string message) =>
        AwsReply.JsonError(HttpStatusCode.BadRequest, "com.amazonaws.sqs#" + type, message, ContentType) with
        {
            Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["x-amzn-query-error"] = queryCode + ";Sender" },
        };

    // SQS's MD5OfBody is part of the wire contract (the SDK checks it); MD5 is not used for security here.
#pragma warning disable CA5351
    private static string Md5(string body) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));
#pragma warning restore CA5351

    private sealed class SqsQueue(string name, int visibilityTimeoutSeconds)
    {
        public string Name { get; } = name;

        public int VisibilityTimeoutSeconds { get; } = visibilityTimeoutSeconds;

        public List<SqsMessage> Messages { get; } = [];

        public TaskCompletionSource Arrival { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Pulse()
        {
            var arrived = Arrival;
            Arrival = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.TrySetResult();
        }
    }

    private sealed class SqsMessage(string id, string body, DateTimeOffset sentAt)
    {
        public string Id { get; } = id;

        public string Body { get; } = body;

        public DateTimeOffset SentAt { get; } = sentAt;

        public DateTimeOffset VisibleAt { get; set; }

        public DateTimeOffset? FirstReceivedAt { get; set; }

        public int ReceiveCount { get; set; }

        public string? Receipt { get; set; }
    }
}
