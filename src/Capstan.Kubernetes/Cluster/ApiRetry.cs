using System.Globalization;
using System.Net;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace Capstan.Kubernetes.Cluster;

/// <summary>
/// The writer's timeout and retry policy, on a <see cref="TimeProvider"/>: each call gets
/// <see cref="KubernetesWriterOptions.AttemptTimeout"/>; 429 waits the <c>Retry-After</c> the API server sent (else
/// backs off), 5xx, timeouts and broken connections back off exponentially with jitter, and 409 Conflict is retried only
/// for operations that re-read the object on every attempt. The operation itself must be safe to repeat: a create
/// treats AlreadyExists as done, so a create that succeeded without the answer arriving is checked, not repeated.
/// </summary>
internal sealed class ApiRetry(KubernetesWriterOptions options, TimeProvider timeProvider, ILogger logger)
{
    private readonly Random _jitter = new(options.JitterSeed);
    private readonly Lock _jitterGate = new();

    public async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, bool retryConflicts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = new CancellationTokenSource(options.AttemptTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            TimeSpan delay;
            string failure;
            Exception last;
            try
            {
                return await call(linked.Token);
            }
            catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                last = e;
                failure = $"no answer within {options.AttemptTimeout}";
                delay = Backoff(attempt);
            }
            catch (HttpOperationException e) when (Retryable(e.Response.StatusCode, retryConflicts))
            {
                last = e;
                failure = $"{(int)e.Response.StatusCode} {e.Response.StatusCode}";
                delay = e.Response.StatusCode switch
                {
                    HttpStatusCode.TooManyRequests => RetryAfter(e.Response) ?? Backoff(attempt),
                    HttpStatusCode.Conflict => attempt == 1 ? TimeSpan.Zero : Backoff(attempt - 1),
                    _ => Backoff(attempt),
                };
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
                failure = e.Message;
                delay = Backoff(attempt);
            }

            if (attempt >= options.MaxAttempts)
            {
                logger.WriteFailed(operation, attempt, failure);
                throw new KubernetesWriteException($"{operation} failed after {attempt} attempt(s): {failure}", last);
            }

            logger.WriteRetrying(operation, failure, attempt, options.MaxAttempts, delay);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
        }
    }

    private static bool Retryable(HttpStatusCode status, bool retryConflicts) => status switch
    {
        HttpStatusCode.TooManyRequests => true,
        HttpStatusCode.Conflict => retryConflicts,
        _ => (int)status >= 500,
    };

    /// <summary>Exponential (<c>base * 2^(attempt-1)</c>, capped), jittered down to half: "equal jitter".</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var exponential = options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, options.MaxDelay.TotalMilliseconds);
        double factor;
        lock (_jitterGate)
        {
            factor = 0.5 + (0.5 * _jitter.NextDouble());
        }

        return TimeSpan.FromMilliseconds(capped * factor);
    }

    /// <summary>The <c>Retry-After</c> header: delay-seconds or an HTTP date; null when absent or unreadable.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessageWrapper response)
    {
        if (response.Headers is null || !response.Headers.TryGetValue("Retry-After", out var values) || values.FirstOrDefault() is not { } value)
        {
            return null;
        }

        TimeSpan? wait = null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            wait = TimeSpan.FromSeconds(seconds);
        }
        else if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            wait = at - timeProvider.GetUtcNow();
        }

        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, options.MaxRetryAfter.Ticks)) : null;
    }
}
