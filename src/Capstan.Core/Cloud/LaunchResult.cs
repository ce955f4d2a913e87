namespace Capstan.Core.Cloud;

/// <summary>What a launch came to: an instance, or every offering that had no capacity.</summary>
public sealed record LaunchResult
{
    private LaunchResult(CloudInstance? instance, IReadOnlyList<OfferingFailure> failures)
    {
        Instance = instance;
        Failures = failures;
    }

    public CloudInstance? Instance { get; }

    /// <summary>Offerings that failed; a successful launch may list some it fell back from.</summary>
    public IReadOnlyList<OfferingFailure> Failures { get; }

    public bool Launched => Instance is not null;

    public static LaunchResult Success(CloudInstance instance, IReadOnlyList<OfferingFailure>? fellBackFrom = null) =>
        new(instance, fellBackFrom ?? []);

    /// <summary>No offering had capacity: nothing runs, and the offerings are to be avoided for a while.</summary>
    public static LaunchResult InsufficientCapacity(IReadOnlyList<OfferingFailure> failures) => new(null, failures);
}
