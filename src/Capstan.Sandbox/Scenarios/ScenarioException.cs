namespace Capstan.Sandbox.Scenarios;

/// <summary>A scenario file cannot be used; each error names the file, the line and column, the step and what is wrong.</summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException()
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public ScenarioException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>Every problem found, one sentence each, in file order.</summary>
    public IReadOnlyList<string> Errors { get; } = [];
}
