using Amazon.Runtime;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Capstan.Aws.Clients;

/// <summary>
/// The one place that builds Capstan's resilience pipelines for AWS calls: a per-attempt timeout inside a retry with
/// jittered exponential backoff on throttling, 5xx, timeouts and broken connections, behind a circuit breaker per
/// service; all on the injected <see cref="TimeProvider"/>. Only idempotent calls take the retrying pipeline.
/// </summary>
public sealed class AwsPipelines
{
    private static readonly HashSet<string> s_throttlingCodes = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "BandwidthLimitExceeded",
    };

    // Auto Scaling's "come back later": the group is busy with another activity, or another update holds it.
    private static readonly HashSet<string> s_busyCodes = new(StringComparer.Ordinal) { "ScalingActivityInProgress", "ResourceContention" };

    private readonly Dictionary<string, (ResiliencePipeline Idempotent, ResiliencePipeline Once)> _byService = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResiliencePipeline> _breakers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Service, TimeSpan Wait), ResiliencePipeline> _longPolls = [];
    private readonly Lock _gate = new();
    private readonly AwsOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<double>? _randomizer;

    /// <param name="options">timeout and retry count</param>
    /// <param name="time">the clock every delay and timeout runs on</param>
    /// <param name="randomizer">jitter source in [0, 1); a seeded one makes the backoff reproducible</param>
    public AwsPipelines(AwsOptions options, TimeProvider time, Func<double>? randomizer = null)
    {
        _options = options;
        _time = time;
        _randomizer = randomizer;
    }

    /// <summary>Base delay of the first retry (doubles each time, with jitter), and the cap.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a tripped breaker rejects calls before it lets one through again.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>True for failures worth another attempt: throttling, a busy Auto Scaling group, 5xx, timeouts, broken connections.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        AmazonServiceException service => IsThrottling(service.ErrorCode) || IsBusy(service.ErrorCode) || (int)service.StatusCode >= 500
            || (service.StatusCode == 0 && service.InnerException is HttpRequestException or IOException or TimeoutException),
        TimeoutRejectedException or TimeoutException or HttpRequestException or IOException => true,
        OperationCanceledException => false,
        _ => IsTransportFailure(exception),
    };

    /// <summary>
    /// An exception thrown inside the HTTP client itself (System.Net.Http) rather than by the SDK or the service: the
    /// answer on that connection could not be read (its status line, say), which is the connection's fault, not the
    /// request's, so a call that may be repeated is tried again on another connection.
    /// </summary>
    public static bool IsTransportFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }

        // Where it was thrown: the first frame that is not a throw helper (the runtime's ThrowHelper, an exception
        // type's own ThrowIf... methods, anything hidden from stack traces).
        foreach (var frame in new System.Diagnostics.StackTrace(exception, false).GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (method is null || type is null || method.IsDefined(typeof(System.Diagnostics.StackTraceHiddenAttribute), false)
                || type.IsDefined(typeof(System.Diagnostics.StackTraceHiddenAttribute), false) || typeof(Exception).IsAssignableFrom(type)
                || type.Name == "ThrowHelper")
            {
                continue;
            }

            var space = type.Namespace ?? "";
            return space == "System.Net.Http" || space.StartsWith("System.Net.Http.", StringComparison.Ordinal);
        }

        return false;
    }

    public static bool IsThrottling(string? code) => code is not null && s_throttlingCodes.Contains(code);

    /// <summary>Auto Scaling's codes for a group that is busy right now (<c>ScalingActivityInProgress</c>, <c>ResourceContention</c>).</summary>
    public static bool IsBusy(string? code) => code is not null && s_busyCodes.Contains(code);

    /// <summary>The pipeline for calls that may be repeated safely (reads, terminate, CreateFleet with its ClientToken).</summary>
    public ResiliencePipeline Idempotent(string service) => For(service).Idempotent;

    /// <summary>The pipeline for calls that must not be repeated: timeout and breaker, no retry.</summary>
    public ResiliencePipeline Once(string service) => For(service).Once;

    /// <summary>
    /// The idempotent pipeline for a long poll (SQS ReceiveMessage) that may legitimately take <paramref name="wait"/>
    /// before answering: the same retry and breaker, with the per-attempt timeout lengthened by the wait.
    /// </summary>
    public ResiliencePipeline LongPoll(string service, TimeSpan wait)
    {
        var breakerPipeline = Breaker(service);
        lock (_gate)
        {
            if (!_longPolls.TryGetValue((service, wait), out var pipeline))
            {
                pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
                    .AddRetry(RetryOptions())
                    .AddPipeline(breakerPipeline)
                    .AddTimeout(_options.CallTimeout + wait)
                    .Build();
                _longPolls[(service, wait)] = pipeline;
            }

            return pipeline;
        }
    }

    private ResiliencePipeline Breaker(string service)
    {
        _ = For(service);
        lock (_gate)
        {
            return _breakers[service];
        }
    }

    private RetryStrategyOptions RetryOptions()
    {
        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(0, _options.MaxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = RetryBaseDelay,
            MaxDelay = RetryMaxDelay,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
        };
        if (_randomizer is not null)
        {
            retry.Randomizer = _randomizer;
        }

        return retry;
    }

    private (ResiliencePipeline Idempotent, ResiliencePipeline Once) For(string service)
    {
        lock (_gate)
        {
            if (!_byService.TryGetValue(service, out var pair))
            {
                // One breaker per service, shared by both pipelines: a failing EC2 trips it for every EC2 call.
                var breaker = new CircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 20,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = BreakDuration,
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                };
                var breakerPipeline = new ResiliencePipelineBuilder { TimeProvider = _time }.AddCircuitBreaker(breaker).Build();
                var idempotent = new ResiliencePipelineBuilder { TimeProvider = _time }
                    .AddRetry(RetryOptions())
                    .AddPipeline(breakerPipeline)
                    .AddTimeout(_options.CallTimeout)
                    .Build();
                var once = new ResiliencePipelineBuilder { TimeProvider = _time }
                    .AddPipeline(breakerPipeline)
                    .AddTimeout(_options.CallTimeout)
                    .Build();
                pair = (idempotent, once);
                _byService[service] = pair;
                _breakers[service] = breakerPipeline;
            }

            return pair;
        }
    }

    /// <summary>Runs a call through a pipeline and turns its final failure into a <see cref="Core.Cloud.CloudProviderException"/> in words.</summary>
    public static async Task<T> RunAsync<T>(ResiliencePipeline pipeline, string service, string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await pipeline.ExecuteAsync(async token => await call(token), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.Translate(service, operation, ex);
        }
    }
}
