namespace Capstan.Kubernetes.LeaderElection;

/// <summary>
/// <c>Capstan:LeaderElection</c>: which <c>coordination.k8s.io/v1</c> Lease the replicas compete for and how fast,
/// with the timings of client-go's leader election. A leader renews every <see cref="RetryPeriod"/> and gives up
/// leading once no renewal has succeeded for <see cref="RenewDeadline"/>; the others take the lease over once they
/// have seen it unchanged for <see cref="LeaseDuration"/>. Keeping RenewDeadline below LeaseDuration is what stops
/// two replicas leading at once.
/// </summary>
public sealed class LeaderElectionOptions
{
    public const string SectionName = "Capstan:LeaderElection";

    /// <summary>The namespace used when <c>POD_NAMESPACE</c> is not set.</summary>
    public const string FallbackNamespace = "capstan";

    /// <summary>Whether replicas elect a leader through the lease; turn it off only for a single replica.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Namespace of the Lease: by default the pod's own (<c>POD_NAMESPACE</c>), else <c>capstan</c>.</summary>
    public string Namespace { get; set; } = DefaultNamespace(Environment.GetEnvironmentVariable);

    public string LeaseName { get; set; } = "capstan-leader-election";

    /// <summary>How long a lease that nobody renews stays with its holder for the others (written as <c>leaseDurationSeconds</c>).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps leading while its renewals fail.</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the leader renews and the others try to acquire.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>This replica's name in <c>holderIdentity</c>: by default the host name and a suffix unique to this process.</summary>
    public string Identity { get; set; } = DefaultIdentity(Environment.MachineName, Guid.NewGuid());

    /// <summary>The pod's namespace from <c>POD_NAMESPACE</c> (the downward API) when set, else <see cref="FallbackNamespace"/>.</summary>
    public static string DefaultNamespace(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment("POD_NAMESPACE") is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : FallbackNamespace;
    }

    /// <summary>
    /// <c>{hostName}_{instance}</c>: the host name (a pod's name) tells people which replica leads, the instance
    /// suffix keeps a restarted process with the same host name from passing for its predecessor.
    /// </summary>
    public static string DefaultIdentity(string hostName, Guid instance) => $"{hostName}_{instance:N}";
}
