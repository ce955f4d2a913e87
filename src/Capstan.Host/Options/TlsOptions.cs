namespace Capstan.Host.Options;

/// <summary>
/// <c>Capstan:Tls</c>: the serving certificate and key (PEM files, as <c>make certs</c> writes them or a
/// <c>kubernetes.io/tls</c> Secret mounts them), and optionally a CA whose client certificates are validated.
/// </summary>
public sealed class TlsOptions
{
    public const string SectionName = "Capstan:Tls";

    /// <summary>PEM certificate (chain) served on the HTTPS listener.</summary>
    public string CertFile { get; set; } = "";

    /// <summary>PEM private key (PKCS#8, PKCS#1 or SEC1) of <see cref="CertFile"/>.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>
    /// Optional PEM CA bundle. When set, clients may present a certificate (<c>AllowCertificate</c>; the handshake
    /// accepts any) and the extender routes require one that chains to this CA, else 403. Other routes ignore it.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>How often, at most, the files are checked for changes (on a TLS handshake). Default 10 s.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);
}
