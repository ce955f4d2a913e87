namespace Capstan.Extender;

/// <summary>Settings of the extender routes, bound from <c>Capstan:Extender</c>.</summary>
public sealed class ExtenderOptions
{
    public const string SectionName = "Capstan:Extender";

    /// <summary>The host's client CA setting, used when <see cref="ClientCaFile"/> is not set.</summary>
    public const string TlsClientCaKey = "Capstan:Tls:ClientCaFile";

    /// <summary>
    /// PEM file of the CA(s) that sign the scheduler's client certificate. When set (here or as
    /// <c>Capstan:Tls:ClientCaFile</c>), every extender request must present a certificate chained to it.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>Require a client certificate even if no CA file is named (then startup fails: name one).</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>The bind verb's budget for the Binding call, retries included (kube-scheduler's httpTimeout is 5 s).</summary>
    public static readonly TimeSpan DefaultBindTimeout = TimeSpan.FromSeconds(4);

    /// <summary>How long the bind verb waits for the API server before it answers an error (the scheduler retries).</summary>
    public TimeSpan BindTimeout { get; set; } = DefaultBindTimeout;

    /// <summary>How long a ledger entry counts when the cluster cache never shows the pod on the node.</summary>
    public TimeSpan LedgerEntryTtl { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest accepted request body; <c>nodeCacheCapable: false</c> requests carry every Node object.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Whether a client certificate is checked on the extender routes.</summary>
    public bool ClientCertificateRequired => RequireClientCertificate || !string.IsNullOrWhiteSpace(ClientCaFile);
}
