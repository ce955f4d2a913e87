namespace Capstan.Core.Ports;

/// <summary>The pod is already bound to another node, or no longer exists.</summary>
public sealed class BindingConflictException : Exception
{
    public BindingConflictException()
    {
    }

    public BindingConflictException(string message)
        : base(message)
    {
    }

    public BindingConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
