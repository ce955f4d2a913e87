namespace Capstan.Core.Cloud;

/// <summary>
/// A cloud call failed for a reason other than capacity, after the adapter's retries: <see cref="Code"/> is the
/// cloud's error code and the message is written for a person (no exception or type names).
/// </summary>
public sealed class CloudProviderException : Exception
{
    public CloudProviderException()
    {
    }

    public CloudProviderException(string message)
        : base(message)
    {
    }

    public CloudProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CloudProviderException(string operation, string code, string message, bool retryable, Exception? innerException = null)
        : base(message, innerException)
    {
        Operation = operation;
        Code = code;
        Retryable = retryable;
    }

    /// <summary>The cloud operation, e.g. <c>CreateFleet</c>.</summary>
    public string Operation { get; } = "";

    public string Code { get; } = "";

    /// <summary>True when trying again later may succeed (throttling, 5xx, timeouts, an open circuit).</summary>
    public bool Retryable { get; }
}
