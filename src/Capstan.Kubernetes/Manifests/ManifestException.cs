namespace Capstan.Kubernetes.Manifests;

/// <summary>Manifests could not be used; each error names the file, the document, where in it and the problem.</summary>
public sealed class ManifestException : Exception
{
    public ManifestException()
    {
    }

    public ManifestException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public ManifestException(IReadOnlyList<string> errors, IReadOnlyList<string>? warnings = null)
        : base(string.Join(Environment.NewLine, errors ?? []))
    {
        Errors = errors ?? [];
        Warnings = warnings ?? [];
    }

    /// <summary>Every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Errors { get; } = [];

    /// <summary>The warnings found before the input turned out unusable (unknown fields and the like).</summary>
    public IReadOnlyList<string> Warnings { get; } = [];
}
