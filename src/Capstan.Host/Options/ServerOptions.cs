namespace Capstan.Host.Options;

/// <summary><c>Capstan:Server</c>: where the single HTTPS listener binds, and its outer request limits.</summary>
public sealed class ServerOptions
{
    public const string SectionName = "Capstan:Server";

    /// <summary>
    /// <c>https://HOST:PORT</c>; HOST is an IP address, <c>localhost</c>, or <c>*</c>/<c>0.0.0.0</c> for every
    /// interface; PORT 0 picks a free port. Default <c>https://0.0.0.0:8443</c>.
    /// </summary>
    public string Listen { get; set; } = "https://0.0.0.0:8443";

    /// <summary>Kestrel's global request-body limit, the outer bound; routes set their own lower limits. Default 4 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary><c>serve</c> (production adapters) or <c>sandbox</c> (in-memory cluster). Set by the command.</summary>
    public string Mode { get; set; } = "serve";

    public bool IsSandbox => string.Equals(Mode, "sandbox", StringComparison.OrdinalIgnoreCase);
}
