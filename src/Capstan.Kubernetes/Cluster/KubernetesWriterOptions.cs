namespace Capstan.Kubernetes.Cluster;

/// <summary><c>Capstan:Kubernetes:Writer</c>: the timeout and retry policy of every API server write.</summary>
public sealed class KubernetesWriterOptions
{
    public const string SectionName = "Capstan:Kubernetes:Writer";

    /// <summary>Calls per operation, the first included.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Each call is abandoned (and retried) after this long.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first backoff; it doubles per attempt up to <see cref="MaxDelay"/>, jittered down to half.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest <c>Retry-After</c> honoured as given; longer ones are waited this long.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Seed of the jitter, so tests can reproduce the delays.</summary>
    public int JitterSeed { get; set; } = 6200;
}
