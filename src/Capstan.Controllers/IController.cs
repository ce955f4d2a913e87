namespace Capstan.Controllers;

/// <summary>A control loop that runs on the leader until its token is cancelled.</summary>
public interface IController
{
    /// <summary>A short name for logs (<c>provisioning</c>, <c>initialization</c>).</summary>
    string Name { get; }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires; returns (or throws <see cref="OperationCanceledException"/>) then.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
