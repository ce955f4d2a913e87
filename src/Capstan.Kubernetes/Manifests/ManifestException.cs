namespace Capstan.Kubernetes.Manifests;

/// <summary>A manifest could not be read; the message names the file and the problem.</summary>
public sealed class ManifestException : Exception
{
    public ManifestException()
    {
    }

    public ManifestException(string message)
        : base(message)
    {
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
